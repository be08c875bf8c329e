"""Renders the bundled example scene (examples/studio/): a procedural room, and the same room with a
procedural person in it. Everything is generated here; nothing comes from ../shared.

    python scripts/make_example.py   # rewrites examples/studio/{photo,plate}.jpg and truth-alpha.png
"""
from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bgmatte_train.data.procedural import person_silhouette  # noqa: E402
from bgmatte_train.paths import REPO_ROOT  # noqa: E402

W, H = 1280, 720


def room(rng: np.random.Generator) -> np.ndarray:
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    wall = np.array([0.78, 0.74, 0.66], np.float32) * (0.85 + 0.15 * (1 - yy / H))[..., None]
    wall = wall * (0.92 + 0.08 * np.cos((xx - W * 0.3) / W * 2.5))[..., None]
    img = wall.copy()
    floor = yy > H * 0.78
    img[floor] = (np.array([0.45, 0.32, 0.22]) * (0.8 + 0.2 * np.sin(xx[floor] / 9.0) ** 2)[..., None])
    cv2.rectangle(img, (80, 120), (330, 380), (0.2, 0.3, 0.5), -1)  # a painting
    cv2.rectangle(img, (95, 135), (315, 365), (0.85, 0.6, 0.3), -1)
    cv2.circle(img, (205, 250), 60, (0.3, 0.5, 0.25), -1)
    cv2.rectangle(img, (960, 300), (1180, 560), (0.35, 0.22, 0.15), -1)  # a shelf with books
    for i, x in enumerate(range(975, 1165, 19)):
        colour = [(0.7, 0.2, 0.2), (0.2, 0.4, 0.7), (0.9, 0.8, 0.3), (0.3, 0.6, 0.3)][i % 4]
        cv2.rectangle(img, (x, 320 + (i % 3) * 8), (x + 15, 420), colour, -1)
    cv2.ellipse(img, (1070, 500), (60, 40), 0, 0, 360, (0.9, 0.9, 0.85), -1)  # a lamp
    return np.clip(img + rng.normal(0, 0.01, img.shape), 0, 1).astype(np.float32)


def main() -> None:
    rng = np.random.default_rng(2020)
    plate = room(rng)
    size = H
    alpha_sq = person_silhouette(size, rng, full_body=False, hair=True)
    alpha = np.zeros((H, W), np.float32)
    x0 = (W - size) // 2 - 60
    alpha[:, x0:x0 + size] = alpha_sq
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    shirt = np.array([0.15, 0.35, 0.6], np.float32) * (0.8 + 0.2 * np.sin(yy / 14 + xx / 40))[..., None]
    skin = np.array([0.85, 0.65, 0.52], np.float32)
    hair = np.array([0.25, 0.15, 0.08], np.float32)
    fg = np.where((yy < H * 0.5)[..., None], skin, shirt)
    fg = np.where((yy < H * 0.2)[..., None] | ((yy < H * 0.42) & (alpha < 0.98))[..., None], hair, fg).astype(np.float32)
    shot_bg = plate * (1 - 0.35 * cv2.GaussianBlur(np.roll(alpha, 30, axis=1), (0, 0), 25))[..., None]  # soft shadow
    photo = alpha[..., None] * fg + (1 - alpha[..., None]) * shot_bg
    photo = np.clip(photo + rng.normal(0, 0.012, photo.shape), 0, 1)
    plate_noisy = np.clip(plate * 1.02 + rng.normal(0, 0.012, plate.shape), 0, 1)  # slight exposure drift
    out = REPO_ROOT / "examples" / "studio"
    out.mkdir(parents=True, exist_ok=True)
    bgr = lambda x: cv2.cvtColor((x * 255).round().astype(np.uint8), cv2.COLOR_RGB2BGR)
    cv2.imwrite(str(out / "photo.jpg"), bgr(photo), [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(out / "plate.jpg"), bgr(plate_noisy), [cv2.IMWRITE_JPEG_QUALITY, 92])
    cv2.imwrite(str(out / "truth-alpha.png"), (alpha * 255).round().astype(np.uint8))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
