"""Build a composite test set in the evaluation folder layout (see README, "Evaluation"):

    <out>/<item>/image.png  plate.png  alpha.png  [trimap.png]

Foregrounds with ground-truth alpha (alphamatting layout: image/, alpha/, optional trimap/) are composited at
their own resolution on background photos (scaled to cover), with the plate perturbations of the training
recipe (noise or gamma, colour jitter, small misalignment, shadows in the shot only), from a fixed seed.

    python -m bgmatte_train.testset --out /tmp/bgmatte-testset                  # the 4 validation foregrounds
    python -m bgmatte_train.testset --foregrounds my/fgs --backgrounds my/bgs --out set --names ""
    python -m bgmatte_train.testset --hard --out /tmp/bgmatte-hard                # camouflage and thin structures

`--hard` writes the camouflage and thin-structure set instead: people whose skin has the colour of the sky or
wall behind them, subjects with large parts in the background's colour, and stems, leaves and grids with the
background open between them (data/hard_cases.py), on the held-out background photos only and from seeds no
training config uses, so it shares neither backgrounds nor samples with training.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from .data.synth import VALIDATION_FOREGROUNDS, Synthesiser, composite, load_alphamatting, load_backgrounds
from .paths import SHARED_DATA


def _cover(img: np.ndarray, w: int, h: int) -> np.ndarray:
    scale = max(w / img.shape[1], h / img.shape[0])
    r = cv2.resize(img, (max(w, round(img.shape[1] * scale)), max(h, round(img.shape[0] * scale))), interpolation=cv2.INTER_AREA)
    y, x = (r.shape[0] - h) // 2, (r.shape[1] - w) // 2
    return r[y:y + h, x:x + w]


def _write(path: Path, rgb_or_grey: np.ndarray) -> None:
    arr = (np.clip(rgb_or_grey, 0, 1) * 255).round().astype(np.uint8)
    if arr.ndim == 3:
        arr = cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(path), arr)


def build(fg_root: Path, bg_root: Path, out: Path, names: list[str] | None, per_foreground: int, seed: int) -> int:
    foregrounds = load_alphamatting(fg_root, names=names, max_side=10_000)
    backgrounds = load_backgrounds(bg_root, validation=True, max_side=10_000) if bg_root == SHARED_DATA / "backgrounds" \
        else load_backgrounds(bg_root, validation=False, max_side=10_000) + load_backgrounds(bg_root, validation=True, max_side=10_000)
    synth = Synthesiser([], [], size=256, seed=seed)
    count = 0
    for fi, f in enumerate(foregrounds):
        for k in range(per_foreground):
            rng = np.random.default_rng([seed, fi, k])
            h, w = f.alpha.shape
            bg = _cover(backgrounds[int(rng.integers(0, len(backgrounds)))], w, h).astype(np.float32)
            plate = synth.perturb_plate(bg, rng)
            shot_bg = synth.cast_shadow(bg, f.alpha, rng) if rng.random() < 0.3 else bg
            image = composite(f.alpha, f.fg, shot_bg) + rng.normal(0, 2 / 255, f.fg.shape)
            item = out / f"{f.name}-{k}"
            item.mkdir(parents=True, exist_ok=True)
            _write(item / "image.png", image)
            _write(item / "plate.png", plate)
            _write(item / "alpha.png", f.alpha)
            trimap = fg_root / "trimap" / f"{f.name}.png"
            if trimap.exists():
                t = cv2.imread(str(trimap), cv2.IMREAD_GRAYSCALE)
                cv2.imwrite(str(item / "trimap.png"), cv2.resize(t, (w, h), interpolation=cv2.INTER_NEAREST))
            count += 1
    return count


# Kinds of the hard set, with the synthesiser settings that make them (nothing else drawn: no glass, no print).
HARD_KINDS = {
    "skin": {"skin_backdrop_fraction": 1.0},
    "camouflage": {"large_camouflage_fraction": 1.0, "procedural_fraction": 1.0},
    "thin": {"thin_fraction": 1.0},
}
HARD_SEED = 7_000_001  # training configs use small seeds (1-6); this stream is never trained on


def build_hard(bg_root: Path, out: Path, per_kind: int, size: int, seed: int = HARD_SEED) -> int:
    backgrounds = load_backgrounds(bg_root, validation=True, max_side=max(640, size))
    count = 0
    for k, (kind, options) in enumerate(HARD_KINDS.items()):
        settings = {"procedural_fraction": 0.5, **options}
        synth = Synthesiser([], backgrounds, size=size, seed=seed + k, trusted_prior_fraction=1.0, **settings)
        for i in range(per_kind):
            s = synth.sample(i)
            item = out / f"{kind}-{i}-{s.info['foreground']}"
            item.mkdir(parents=True, exist_ok=True)
            _write(item / "image.png", s.image)
            _write(item / "plate.png", s.plate)
            _write(item / "alpha.png", s.alpha)
            count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--foregrounds", type=Path, default=SHARED_DATA / "alphamatting")
    p.add_argument("--backgrounds", type=Path, default=SHARED_DATA / "backgrounds")
    p.add_argument("--names", default=",".join(VALIDATION_FOREGROUNDS), help="comma-separated foreground names ('' = all)")
    p.add_argument("--per-foreground", type=int, default=3, help="backgrounds per foreground")
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--hard", action="store_true", help="write the camouflage and thin-structure set instead")
    p.add_argument("--size", type=int, default=768, help="side of the hard set's square items")
    args = p.parse_args(argv)
    if args.hard:
        n = build_hard(args.backgrounds, args.out, args.per_foreground * 2, args.size)
        print(f"wrote {n} items to {args.out}")
        return
    names = [n for n in args.names.split(",") if n] or None
    n = build(args.foregrounds, args.backgrounds, args.out, names, args.per_foreground, args.seed)
    print(f"wrote {n} items to {args.out}")


if __name__ == "__main__":
    main()
