import csv
import json

import torch

from bgmatte_train import train


def test_training_writes_checkpoints_logs_and_resumes(tmp_path, shared_data):
    config = {"name": "tiny", "model": {"ngf": 4, "trunk_blocks": 1, "head_blocks": 1},
              "data": {"size": 64, "procedural_fraction": 0.5, "still_fraction": 0.5},
              "train": {"batch_size": 2, "lr": 1e-3, "steps": 4, "seed": 1, "threads": 2, "checkpoint_every": 2,
                        "log_every": 1, "validate_every": 2, "validation_samples": 4}}
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(config))
    run = tmp_path / "run"
    train.main(["--config", str(cfg), "--run-dir", str(run), "--workers", "0", "--steps", "2"])
    assert torch.load(run / "last.pt")["step"] == 2
    train.main(["--config", str(cfg), "--run-dir", str(run), "--workers", "0", "--steps", "4"])
    assert torch.load(run / "last.pt")["step"] == 4
    rows = list(csv.DictReader(open(run / "train_log.csv")))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4]  # resumed at 3, not restarted
    assert {"alpha_l1", "alpha_grad", "fg_l1", "compose", "total"} <= set(rows[0])
    assert (run / "curves.png").stat().st_size > 1000
    assert (run / "best.pt").exists()


def test_distributed_training_runs_under_torchrun(tmp_path, shared_data):
    """Two CPU processes (gloo) through torchrun, as a multi-GPU user would launch it."""
    import subprocess
    import sys
    from pathlib import Path

    config = {"name": "tiny", "model": {"ngf": 4, "trunk_blocks": 1, "head_blocks": 1},
              "data": {"size": 64, "procedural_fraction": 1.0, "still_fraction": 0.5},
              "train": {"batch_size": 1, "lr": 1e-3, "steps": 2, "seed": 1, "threads": 1, "checkpoint_every": 2,
                        "log_every": 1, "validate_every": 2, "validation_samples": 2}}
    cfg = tmp_path / "tiny.json"
    cfg.write_text(json.dumps(config))
    run = tmp_path / "run"
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m",
                        "bgmatte_train.train", "--config", str(cfg), "--run-dir", str(run), "--workers", "0"],
                       cwd=root, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-2000:]
    assert torch.load(run / "last.pt")["step"] == 2
