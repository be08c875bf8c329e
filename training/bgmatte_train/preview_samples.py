"""Write N synthetic training samples as PNGs, to look at what the network learns from.

    python -m bgmatte_train.preview_samples --n 16 --out /tmp/samples
    python -m bgmatte_train.preview_samples --n 16 --out /tmp/samples --config configs/bm-lite-ft-hard-cases.json

Per sample: <i>_image.png, _plate.png, _prior.png, _motion.png (first cue), _alpha.png, _fg.png, and one
_sheet.png with all of them side by side.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from .dataset import synthesiser_from_config, training_synthesiser
from .paths import SHARED_DATA


def _png(path: Path, x: np.ndarray) -> None:
    arr = (np.clip(x, 0, 1) * 255).round().astype(np.uint8)
    cv2.imwrite(str(path), cv2.cvtColor(arr, cv2.COLOR_RGB2BGR) if arr.ndim == 3 else arr)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=16)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--config", type=Path, help="use this training config's data section (its size; --seed still applies)")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.config:
        synth = synthesiser_from_config(args.data, json.loads(args.config.read_text())["data"], args.seed)
    else:
        synth = training_synthesiser(args.data, args.size, args.seed, 0.5, 0.5)
    for i in range(args.n):
        s = synth.sample(i)
        grey = lambda m: np.repeat(m[..., None], 3, 2)
        parts = {"image": s.image, "plate": s.plate, "prior": s.prior, "motion": s.motion[..., 0], "alpha": s.alpha, "fg": s.fg}
        for name, x in parts.items():
            _png(args.out / f"{i:04d}_{name}.png", x)
        _png(args.out / f"{i:04d}_sheet.png", np.hstack([x if x.ndim == 3 else grey(x) for x in parts.values()]))
        (args.out / f"{i:04d}_info.json").write_text(json.dumps(s.info))
    print(f"wrote {args.n} samples to {args.out}")


if __name__ == "__main__":
    main()
