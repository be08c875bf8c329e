"""PNG of the loss curves, so progress can be looked at rather than read."""
from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def _read(path: Path) -> dict[str, list[float]]:
    if not path.exists():
        return {}
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return {k: [float(r[k]) for r in rows] for k in (rows[0] if rows else {})}


SUPERVISED_TERMS = ("total", "alpha_l1", "alpha_grad", "fg_l1", "compose")


def plot_curves(train_csv: Path, val_csv: Path, out: Path, smooth: int = 20,
                train_names: tuple[str, ...] = SUPERVISED_TERMS, val_names: tuple[str, ...] = SUPERVISED_TERMS) -> None:
    train, val = _read(train_csv), _read(val_csv)
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    for name in dict.fromkeys(train_names + val_names):
        if name in train and name in train_names:
            ys = train[name]
            k = max(1, min(smooth, len(ys) // 5))
            smoothed = [sum(ys[max(0, i - k + 1):i + 1]) / len(ys[max(0, i - k + 1):i + 1]) for i in range(len(ys))]
            axes[0].plot(train["step"], smoothed, label=name)
        if name in val and name in val_names:
            axes[1].plot(val["step"], val[name], marker="o", ms=3, label=name)
    for ax, title in zip(axes, ("training loss terms (moving average)", "validation (held-out foregrounds)")):
        ax.set_title(title)
        ax.set_xlabel("step")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    tmp = out.with_name(out.stem + ".tmp.png")
    fig.savefig(tmp, dpi=90)
    plt.close(fig)
    tmp.replace(out)
