"""Scores a checkpoint on the fixed synthetic validation set (4 held-out foregrounds on held-out backgrounds),
beside the background-difference baseline (the colour distance to the plate thresholded as the product's prior
thresholds it, data/plate_difference.py). SAD per image (/1000) and MSE per pixel over the whole 256x256 image (the Deep Image Matting benchmark's SAD and MSE).

    python -m bgmatte_train.validate --checkpoint runs/bm-lite/best.pt
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import torch

from .data.plate_difference import adaptive_threshold, colour_distance
from .dataset import validation_set
from .checkpoints import load_graph
from .paths import SHARED_DATA
from .train import evaluate


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--samples", type=int, default=48)
    args = p.parse_args(argv)
    torch.set_num_threads(2)
    state = torch.load(args.checkpoint, map_location="cpu")
    size = state["config"]["data"]["size"]
    val = validation_set(args.data, size, args.samples)
    model = evaluate(load_graph(args.checkpoint), val)
    sad, mse = [], []
    for i in range(val["image"].shape[0]):
        image, plate = (val[k][i].permute(1, 2, 0).numpy() for k in ("image", "plate"))
        distance = colour_distance(image, plate)
        pred = (distance > adaptive_threshold(distance)).astype(np.float32)
        err = pred - val["alpha"][i, 0].numpy()
        sad.append(np.abs(err).sum() / 1000)
        mse.append((err ** 2).mean())
    report = {"step": state["step"], "samples": args.samples, "size": size,
              "model": {"sad": model["sad"], "mse": model["mse"]},
              "background_difference": {"sad": float(np.mean(sad)), "mse": float(np.mean(mse))}}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
