"""Default locations, relative to the repository (training/ lives one level below its root)."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
MODELS_DIR = REPO_ROOT / "models"
CONTRACT_PATH = MODELS_DIR / "contract.json"
CHECKPOINTS_DIR = REPO_ROOT / "training" / "checkpoints"
# The shipped generator (models/manifest.json names it for bm-lite) and the shipped pair whose refiner it keeps.
SHIPPED_CHECKPOINT = CHECKPOINTS_DIR / "bm-lite-gpu-glass-step200.pt"
SHIPPED_MODEL = MODELS_DIR / "bm-lite.onnx"
