"""The data bank the GPU recipe trains from: everything it needs in one folder of about 35 MiB, so that it travels
to a GPU machine with the code (64 MiB in all) and every sample is then composed on the GPU.

    python -m bgmatte_train.gpu.bank --out ../gpu-bank            # keep it out of git: it derives from research data

Written: `foregrounds.npz` (the 18 training foregrounds of alphamatting with their estimated F, RGBA, each on a
square canvas), `backgrounds.npz` (square crops of the training background photos, as JPEG), `procedural.npz`
(procedural alphas: people, fringed blobs, translucent objects, shapes, stems with leaves and grids),
`glass.npz` (clear glass objects: α and F, the refraction flow and the object's mask; see data/synth.py),
`validation.npz` (the first samples of train.py's fixed synthetic validation batch) and `bank.json`. Images are
uint8.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from ..data.hard_cases import grid, stems_and_leaves
from ..data.procedural import PROCEDURAL_KINDS
from ..data.synth import VALIDATION_FOREGROUNDS, glass_object, load_alphamatting, load_backgrounds
from ..dataset import validation_set
from ..paths import SHARED_DATA

# Kinds of procedural alpha and their shares in the bank: the people and thin structures the product fails on
# weigh more than in the CPU synthesiser.
BANK_KINDS = {"person": 0.35, "fringed": 0.15, "translucent": 0.1, "shape": 0.1, "stems": 0.15, "grid": 0.15}


def _square(img: np.ndarray, side: int, pad_value: float = 0.0) -> np.ndarray:
    """Fit into side x side (longer side = side), centred, padded."""
    h, w = img.shape[:2]
    s = side / max(h, w)
    r = cv2.resize(img, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
    out = np.full((side, side) + img.shape[2:], pad_value, img.dtype)
    y, x = (side - r.shape[0]) // 2, (side - r.shape[1]) // 2
    out[y:y + r.shape[0], x:x + r.shape[1]] = r
    return out


def _u8(x: np.ndarray) -> np.ndarray:
    return (np.clip(x, 0, 1) * 255).round().astype(np.uint8)


def procedural_alpha(kind: str, size: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "stems":
        return stems_and_leaves(size, rng)
    if kind == "grid":
        return grid(size, rng)
    return PROCEDURAL_KINDS[kind][0](size, rng)


# Refraction flow is stored in int8 at this many steps per pixel (±15.9 px at the bank's size).
FLOW_STEPS = 8


def glass_bank(count: int, size: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Clear glass objects as the CPU synthesiser draws them: RGBA (F, alpha), flow (x, y) and the blurred mask that
    the GPU's thick-glass optics blur and dim inside."""
    rgba, flow, inside = [], [], []
    for _ in range(count):
        alpha, fg, (fx, fy), mask = glass_object(size, rng)
        rgba.append(_u8(np.dstack([fg, alpha])))
        flow.append(np.clip(np.round(np.stack([fx, fy], -1) * FLOW_STEPS), -127, 127).astype(np.int8))
        inside.append(_u8(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 2)))
    return {"rgba": np.stack(rgba), "flow": np.stack(flow), "inside": np.stack(inside)}


def build_bank(data: Path, out: Path, size: int = 384, procedural: int = 1200, seed: int = 11,
               validation_samples: int = 16, glass: int = 120) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    fgs = [f for f in load_alphamatting(data / "alphamatting") if f.name not in VALIDATION_FOREGROUNDS]
    rgba = np.stack([_u8(_square(np.dstack([f.fg, f.alpha]), size)) for f in fgs])
    np.savez_compressed(out / "foregrounds.npz", rgba=rgba, names=np.array([f.name for f in fgs]))
    bgs = load_backgrounds(data / "backgrounds", validation=False, max_side=2 * size)
    crops = []
    for b in bgs:  # the centred square and, for wide photos, its two sides
        h, w = b.shape[:2]
        side = min(h, w)
        for x in sorted({0, (w - side) // 2, w - side}):
            crops.append(_u8(cv2.resize(b[(h - side) // 2:(h - side) // 2 + side, x:x + side], (size, size),
                                        interpolation=cv2.INTER_AREA)))
    # JPEG (quality 92): photos compress ten times better than in an npz, and the recipe decodes them once.
    jpegs = [cv2.imencode(".jpg", cv2.cvtColor(c, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 92])[1] for c in crops]
    np.savez(out / "backgrounds.npz", **{f"{i:04d}": j for i, j in enumerate(jpegs)})
    rng = np.random.default_rng(seed)
    kinds = list(BANK_KINDS)
    chosen = rng.choice(len(kinds), procedural, p=np.array(list(BANK_KINDS.values())))
    alphas = np.stack([_u8(procedural_alpha(kinds[k], size, rng)) for k in chosen])
    np.savez_compressed(out / "procedural.npz", alpha=alphas, kind=np.array([kinds[k] for k in chosen]))
    np.savez_compressed(out / "glass.npz", **glass_bank(glass, size, rng))
    val = validation_set(data, 256, validation_samples)
    np.savez_compressed(out / "validation.npz", **{k: _u8(v.numpy()) for k, v in val.items()})
    info = {"size": size, "foregrounds": len(fgs), "backgrounds": len(crops), "procedural": procedural,
            "procedural_kinds": BANK_KINDS, "glass": glass, "validation_samples": validation_samples, "seed": seed,
            "bytes": sum(p.stat().st_size for p in out.glob("*.npz"))}
    (out / "bank.json").write_text(json.dumps(info, indent=2))
    return info


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--data", type=Path, default=SHARED_DATA)
    p.add_argument("--size", type=int, default=384, help="side of every stored image")
    p.add_argument("--procedural", type=int, default=1200, help="how many procedural alphas")
    args = p.parse_args(argv)
    info = build_bank(args.data, args.out, args.size, args.procedural)
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
