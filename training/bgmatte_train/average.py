"""Average the weights of checkpoints from one training run (stochastic weight averaging, Izmailov et al. 2018).

    python -m bgmatte_train.average --out checkpoints/avg.pt runs/NAME/step1000.pt runs/NAME/step1500.pt ...

A short fine-tune at a constant learning rate wanders between checkpoints: the thick-glass run kept or lost
an opaque face against a wall of its colour from one checkpoint to the next. The mean of several sits between them
and is steadier than any one. Float tensors (weights and BatchNorm running statistics) are averaged; integer ones
(BatchNorm's batch counter) are taken from the last checkpoint. The optimiser state is dropped: the result is for
`export`, `--init` and `--teacher`, not for resuming.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import torch

from .loop import atomic_save


def average_checkpoints(paths: list[Path]) -> dict:
    if len(paths) < 2:
        raise ValueError("give at least two checkpoints to average")
    checkpoints = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
    first = checkpoints[0]
    for path, c in zip(paths[1:], checkpoints[1:]):
        if c["config"]["model"] != first["config"]["model"] or c["model"].keys() != first["model"].keys():
            raise ValueError(f"{path} is not the same architecture as {paths[0]}")
    model = {}
    for key, value in first["model"].items():
        if value.is_floating_point():
            model[key] = sum(c["model"][key] for c in checkpoints) / len(checkpoints)
        else:
            model[key] = checkpoints[-1]["model"][key]
    return {"step": checkpoints[-1]["step"], "model": model, "config": checkpoints[-1]["config"],
            "averaged": [{"file": p.name, "step": c["step"]} for p, c in zip(paths, checkpoints)]}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("checkpoints", type=Path, nargs="+", help="two or more checkpoints of the same architecture")
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    for path in args.checkpoints:
        if not path.is_file():
            p.error(f"no checkpoint at {path}")
    averaged = average_checkpoints(args.checkpoints)
    atomic_save(averaged, args.out)
    print(f"wrote {args.out}: the mean of steps {[a['step'] for a in averaged['averaged']]}")


if __name__ == "__main__":
    main()
