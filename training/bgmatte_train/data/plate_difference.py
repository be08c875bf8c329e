"""The image-plate difference mask, exactly as the product computes it (src/cv/plate-difference.ts), so that the
network trains on the prior it will get: blurred max-channel distance, threshold at median + 5 robust sigmas
(within [0.06, 0.2]; quantiles from a 4096-bin histogram, as the product's; the capped variant is the product's
prior in `balanced` and `best`, training draws the plain one), open and close, and the components of at least 5 % of
the largest. Both suites check their side against the same fixture
(test/fixtures/plate-difference/).
"""
from __future__ import annotations

import cv2
import numpy as np

BINS = 4096


def colour_distance(image: np.ndarray, plate: np.ndarray, sigma: float = 1.0) -> np.ndarray:
    """Per-pixel max-over-channels |I - B'| after a light blur (sensor noise is per pixel, subjects are not)."""
    blur = lambda x: cv2.GaussianBlur(x.astype(np.float32), (0, 0), sigma, borderType=cv2.BORDER_REPLICATE)
    return np.abs(blur(image) - blur(plate)).max(2)


def histogram_quantile(values: np.ndarray, q: float) -> float:
    """The q-quantile of values in [0, 1] to 1/4096 (the product's linear-time statistic)."""
    bins = np.clip(np.floor(values.ravel().astype(np.float64) * BINS), 0, BINS - 1).astype(np.int64)
    counts = np.cumsum(np.bincount(bins, minlength=BINS))
    return (int(np.searchsorted(counts, values.size * q)) + 0.5) / BINS


QUIET_MULTIPLE = 6


def adaptive_threshold(distance: np.ndarray, quiet_cap: bool = False, low: float = 0.06, high: float = 0.2) -> float:
    """Median + 5 robust sigmas; with quiet_cap also at most QUIET_MULTIPLE times the quietest quarter's level (the
    product's prior in `balanced` and `best`: a subject filling most of the frame lifts the median)."""
    median = histogram_quantile(distance, 0.5)
    mad = histogram_quantile(np.abs(distance - median), 0.5)
    t = median + 5 * 1.4826 * mad
    if quiet_cap:
        t = min(t, QUIET_MULTIPLE * histogram_quantile(distance, 0.25))
    return float(min(high, max(low, t)))


def difference_mask(image: np.ndarray, plate: np.ndarray, quiet_cap: bool = False) -> np.ndarray:
    """H x W x 3 in [0, 1] -> H x W uint8 {0, 1}: where the shot differs from its plate."""
    distance = colour_distance(image, plate)
    raw = (distance > adaptive_threshold(distance, quiet_cap)).astype(np.uint8)
    radius = max(1, round(max(image.shape[:2]) / 256))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    mask = cv2.morphologyEx(cv2.morphologyEx(raw, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if n <= 1:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.concatenate([[False], areas >= 0.05 * areas.max()])
    return keep[labels].astype(np.uint8)
