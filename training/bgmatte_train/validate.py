"""Scores a checkpoint on the fixed synthetic validation set (4 held-out foregrounds on held-out backgrounds),
beside the background-difference baseline (thresholded colour distance to the plate, the same recipe as the
product's prior). SAD per image (/1000) and MSE per pixel over the whole 256x256 image (the Deep Image Matting benchmark's SAD and MSE).

    python -m bgmatte_train.validate --checkpoint runs/bm-lite/best.pt
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np
import torch

from .dataset import validation_set
from .checkpoints import load_graph
from .paths import SHARED_DATA
from .train import evaluate


def background_difference(image: np.ndarray, plate: np.ndarray) -> np.ndarray:
    """H x W x 3 in [0,1] -> hard alpha: blurred max-channel distance above median + 5 robust sigmas (0.06..0.2)."""
    a = cv2.GaussianBlur(image, (0, 0), 1)
    b = cv2.GaussianBlur(plate, (0, 0), 1)
    dist = np.abs(a - b).max(2)
    med = np.median(dist)
    mad = np.median(np.abs(dist - med))
    return (dist > np.clip(med + 5 * 1.4826 * mad, 0.06, 0.2)).astype(np.float32)


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
        pred = background_difference(val["image"][i].permute(1, 2, 0).numpy(), val["plate"][i].permute(1, 2, 0).numpy())
        err = pred - val["alpha"][i, 0].numpy()
        sad.append(np.abs(err).sum() / 1000)
        mse.append((err ** 2).mean())
    report = {"step": state["step"], "samples": args.samples, "size": size,
              "model": {"sad": model["sad"], "mse": model["mse"]},
              "background_difference": {"sad": float(np.mean(sad)), "mse": float(np.mean(mse))}}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
