import csv
import json

import torch

from bgmatte_train import train


def tiny_config(tmp_path, procedural_fraction, batch_size, steps, threads, validation_samples, **train_extra):
    """A minute network and schedule, written as a config file; returns its path."""
    config = {"name": "tiny", "model": {"ngf": 4, "trunk_blocks": 1, "head_blocks": 1},
              "data": {"size": 64, "procedural_fraction": procedural_fraction, "still_fraction": 0.5},
              "train": {"batch_size": batch_size, "lr": 1e-3, "steps": steps, "seed": 1, "threads": threads,
                        "checkpoint_every": 2, "log_every": 1, "validate_every": 2,
                        "validation_samples": validation_samples, **train_extra}}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config))
    return path


def test_training_writes_checkpoints_logs_and_resumes(tmp_path, shared_data):
    cfg = tiny_config(tmp_path, procedural_fraction=0.5, batch_size=2, steps=4, threads=2, validation_samples=4,
                      keep_every=3)
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
    assert sorted(p.name for p in run.glob("step*.pt")) == ["step3.pt"]  # keep_every: one snapshot, at step 3
    assert torch.load(run / "step3.pt")["step"] == 3


def test_distributed_training_runs_under_torchrun(tmp_path, shared_data):
    """Two CPU processes (gloo) through torchrun, as a multi-GPU user would launch it."""
    import subprocess
    import sys
    from pathlib import Path

    cfg = tiny_config(tmp_path, procedural_fraction=1.0, batch_size=1, steps=2, threads=1, validation_samples=2)
    run = tmp_path / "run"
    root = Path(__file__).resolve().parents[1]
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2", "-m",
                        "bgmatte_train.train", "--config", str(cfg), "--run-dir", str(run), "--workers", "0"],
                       cwd=root, capture_output=True, text=True, timeout=240)
    why = [line for line in r.stderr.splitlines() if any(w in line for w in ("terminate", "what()", "Error", "error:"))]
    assert r.returncode == 0, "\n".join(why[:20]) or r.stderr[-2000:]
    assert torch.load(run / "last.pt")["step"] == 2
    import json

    ddp = json.loads((run / "ddp.json").read_text())
    assert ddp["world"] == 2 and ddp["backend"] == "gloo"
    assert ddp["max_parameter_spread"] == 0, "DDP keeps the ranks' weights identical"


def test_sigterm_saves_the_last_completed_step_and_the_resume_logs_no_step_twice(tmp_path, shared_data):
    """SIGTERM (a cluster's scheduler, `kill`) stops after the step in progress with a checkpoint of exactly that
    state; rows logged after it (a kill between checkpoints) are dropped when the run resumes."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    cfg = tiny_config(tmp_path, procedural_fraction=1.0, batch_size=1, steps=10_000, threads=1, validation_samples=2)
    run = tmp_path / "run"
    root = Path(__file__).resolve().parents[1]
    cmd = [sys.executable, "-m", "bgmatte_train.train", "--config", str(cfg), "--run-dir", str(run), "--workers", "0"]
    child = subprocess.Popen(cmd, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    while time.time() < deadline and not (run / "train_log.csv").exists():
        time.sleep(0.2)
    time.sleep(1.0)
    child.send_signal(signal.SIGTERM)
    out, err = child.communicate(timeout=120)
    assert child.returncode == 128 + signal.SIGTERM, err[-2000:]
    assert "checkpoint saved at step" in out
    saved = torch.load(run / "last.pt")["step"]
    steps = [int(r["step"]) for r in csv.DictReader(open(run / "train_log.csv"))]
    assert steps == list(range(1, saved + 1))  # every completed step logged once, none beyond the checkpoint
    # A kill between checkpoints leaves rows the checkpoint does not have: the resume drops them.
    with open(run / "train_log.csv", "a") as f:
        f.write(f"{saved + 1}," + ",".join(["0"] * (len(open(run / "train_log.csv").readline().split(",")) - 1)) + "\n")
    train.main(["--config", str(cfg), "--run-dir", str(run), "--workers", "0", "--steps", str(saved + 2)])
    steps = [int(r["step"]) for r in csv.DictReader(open(run / "train_log.csv"))]
    assert steps == list(range(1, saved + 3))
