"""Foreground colour estimation from an image and its alpha.

Blur-fusion (Forte & Pitie, "Approximate Fast Foreground Colour Estimation", ICIP 2021): local means of the
foreground and background, then a correction so that alpha*F + (1-alpha)*B reproduces the image. Run twice, a
large radius then a small one, as the paper recommends. It removes the background colour that bleeds into
semi-transparent pixels, which F = I would keep.
"""
from __future__ import annotations

import cv2
import numpy as np


def _blur_fusion_pass(image: np.ndarray, fg: np.ndarray, bg: np.ndarray, alpha: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    a = alpha[..., None]
    ksize = (radius, radius)
    blurred_a = cv2.blur(alpha, ksize)[..., None]
    blurred_fa = cv2.blur(fg * a, ksize)
    blurred_f = blurred_fa / (blurred_a + 1e-5)
    blurred_b1a = cv2.blur(bg * (1 - a), ksize)
    blurred_b = blurred_b1a / ((1 - blurred_a) + 1e-5)
    fg = blurred_f + a * (image - a * blurred_f - (1 - a) * blurred_b)
    return np.clip(fg, 0, 1), blurred_b


def estimate_foreground(image: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """image: H x W x 3 float32 in [0,1]; alpha: H x W float32 in [0,1]. Returns F, H x W x 3 in [0,1]."""
    image = image.astype(np.float32)
    alpha = alpha.astype(np.float32)
    fg, bg = _blur_fusion_pass(image, image, image, alpha, 91)
    fg, _ = _blur_fusion_pass(image, fg, bg, alpha, 7)
    return fg.astype(np.float32)
