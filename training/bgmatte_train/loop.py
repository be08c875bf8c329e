"""The training loop that train.py (the coarse generator) and train_refiner.py (the refiner) share: a
deterministic, resumable sample stream, named loss terms logged to CSV, validation with the best checkpoint kept,
atomic checkpoints, curves as a PNG, a progress bar, and Ctrl-C that saves before it exits.
"""
from __future__ import annotations

import csv
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import torch
from tqdm import tqdm

from .plots import SUPERVISED_TERMS, plot_curves


def atomic_save(obj: object, path: Path) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def append_csv(path: Path, row: dict) -> None:
    new = not path.exists()
    with open(path, "a", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(row))
        if new:
            w.writeheader()
        w.writerow(row)


class IndexRange(torch.utils.data.Sampler):
    """Sample indices for this rank from `start_step` on: step s, rank r takes [s*B*W + r*B, ... + B)."""

    def __init__(self, start_step: int, end_step: int, batch: int, rank: int, world: int) -> None:
        self.start, self.end, self.batch, self.rank, self.world = start_step, end_step, batch, rank, world

    def __iter__(self):
        for step in range(self.start, self.end):
            base = step * self.batch * self.world + self.rank * self.batch
            yield from range(base, base + self.batch)

    def __len__(self) -> int:
        return (self.end - self.start) * self.batch


def trim_csv(path: Path, last_step: int) -> None:
    """Drop the rows of steps after `last_step` (logged before a kill, replayed by the resume)."""
    if not path.exists():
        return
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    kept = [r for r in rows if int(r["step"]) <= last_step]
    if len(kept) == len(rows):
        return
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(kept)
    os.replace(tmp, path)


class StopRequests:
    """Ctrl-C and SIGTERM ask the loop to stop after the step in progress, so that the checkpoint it saves is exactly
    the state after its last completed step (an interrupted step would be run twice on resume)."""

    def __init__(self, enabled: bool) -> None:
        self.signal: int | None = None
        self.previous: dict[int, object] = {}
        if enabled and threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.previous[sig] = signal.signal(sig, self._request)

    def _request(self, signum: int, frame: object) -> None:
        self.signal = signum

    def restore(self) -> None:
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    @property
    def exit_code(self) -> int:
        return 128 + (self.signal or signal.SIGINT)


@dataclass
class Schedule:
    """When the loop logs, validates, checkpoints and keeps snapshots (a config's "train" section)."""
    steps: int
    log_every: int
    validate_every: int
    checkpoint_every: int
    keep_every: int = 0

    @staticmethod
    def from_config(train: dict, steps: int) -> "Schedule":
        return Schedule(steps, train["log_every"], train["validate_every"], train["checkpoint_every"],
                        train.get("keep_every", 0))


@dataclass
class Hooks:
    """What differs between the two trainings.

    step(batch, step) runs one optimisation step and returns the named loss terms ("total" among them) and any
    extra columns for the log; validate(step) returns the validation metrics; save(step, path, best) writes a
    checkpoint (`best` is the best validation score so far)."""
    step: Callable[[dict[str, torch.Tensor], int], tuple[dict[str, torch.Tensor], dict]]
    validate: Callable[[int], dict[str, float]]
    save: Callable[[int, Path, float], None]
    best_metric: str
    train_curves: tuple[str, ...] = SUPERVISED_TERMS
    val_curves: tuple[str, ...] = SUPERVISED_TERMS


def run_loop(batches: Iterable[dict[str, torch.Tensor]], run_dir: Path, schedule: Schedule, start_step: int,
             lr: float, hooks: Hooks, best: float = float("inf"), is_main: bool = True) -> float:
    """Train from `start_step` to `schedule.steps`; returns the best validation score. Ranks other than the main
    one only step (DDP keeps them in sync)."""
    log_path, val_path = run_dir / "train_log.csv", run_dir / "val_log.csv"
    if is_main:
        for path in (log_path, val_path):
            trim_csv(path, start_step)
    bar = tqdm(total=schedule.steps, initial=start_step, disable=not is_main, unit="step", dynamic_ncols=True)
    step, t0 = start_step, time.time()
    stop = StopRequests(is_main)
    try:
        for batch in batches:
            terms, extra = hooks.step(batch, step)
            step += 1
            if not is_main:
                continue
            bar.update(1)
            bar.set_postfix(loss=f"{terms['total'].item():.4f}")
            if step % schedule.log_every == 0:
                append_csv(log_path, {"step": step, "seconds": round(time.time() - t0, 1), "lr": lr, **extra,
                                      **{k: round(float(v), 6) for k, v in terms.items()}})
            # Validation first, so that the checkpoint written at the same step knows the best score.
            if step % schedule.validate_every == 0 or step == schedule.steps:
                metrics = hooks.validate(step)
                append_csv(val_path, {"step": step, **{k: round(v, 6) for k, v in metrics.items()}})
                if metrics[hooks.best_metric] < best:
                    best = metrics[hooks.best_metric]
                    hooks.save(step, run_dir / "best.pt", best)
                plot_curves(log_path, val_path, run_dir / "curves.png", train_names=hooks.train_curves,
                            val_names=hooks.val_curves)
                bar.write(f"step {step}: val " + " ".join(f"{k}={v:.4f}" for k, v in metrics.items()))
            if step % schedule.checkpoint_every == 0 or step == schedule.steps:
                hooks.save(step, run_dir / "last.pt", best)
            if schedule.keep_every and step % schedule.keep_every == 0:
                hooks.save(step, run_dir / f"step{step}.pt", best)  # kept for checkpoint averaging (average.py)
            if stop.signal is not None:
                break
    except KeyboardInterrupt:  # no handler could be installed (not the main thread): stop all the same
        stop.signal = signal.SIGINT
    except RuntimeError:
        # A data-loader worker killed by the same Ctrl-C surfaces here; without a stop request it is a real error.
        if stop.signal is None:
            raise
    finally:
        bar.close()
        stop.restore()
    if stop.signal is not None:
        if is_main:
            hooks.save(step, run_dir / "last.pt", best)
            print(f"interrupted: checkpoint saved at step {step}; rerun the same command to resume", flush=True)
        raise SystemExit(stop.exit_code)
    return best
