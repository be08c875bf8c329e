"""Default locations, relative to the repository (training/ lives one level below its root)."""
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
MODELS_DIR = REPO_ROOT / "models"
CONTRACT_PATH = MODELS_DIR / "contract.json"
