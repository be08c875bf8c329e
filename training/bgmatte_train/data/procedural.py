"""Procedural foregrounds and backgrounds the project generates itself (no external data needed).

Every function takes a numpy Generator so that a sample is a pure function of its seed. Shapes are drawn on a
4x super-sampled canvas and area-averaged down, which gives true fractional alpha on thin strands and edges.
"""
from __future__ import annotations

import cv2
import numpy as np

SUPERSAMPLE = 4


def _down(mask: np.ndarray, size: int) -> np.ndarray:
    return cv2.resize(mask, (size, size), interpolation=cv2.INTER_AREA)


def _soften(alpha: np.ndarray, rng: np.random.Generator, max_sigma: float) -> np.ndarray:
    sigma = rng.uniform(0.3, max_sigma)
    return cv2.GaussianBlur(alpha, (0, 0), sigma) if sigma > 0.5 else alpha


def _strands(canvas: np.ndarray, rng: np.random.Generator, roots: np.ndarray, length: float, thickness: int) -> None:
    """Hair-like curves: random walks with smoothly turning direction, starting at `roots` (K x 2, canvas px)."""
    for x, y in roots:
        angle = rng.uniform(0, 2 * np.pi) if rng.random() < 0.3 else -np.pi / 2 + rng.normal(0, 0.8)
        turn = rng.normal(0, 0.08)
        pts = [(x, y)]
        steps = int(rng.uniform(0.4, 1.0) * length / 8) + 2
        for _ in range(steps):
            angle += turn + rng.normal(0, 0.05)
            x, y = x + 8 * np.cos(angle), y + 8 * np.sin(angle)
            pts.append((x, y))
        cv2.polylines(canvas, [np.array(pts, np.int32)], False, 1.0, thickness, cv2.LINE_AA)


def _boundary_points(mask: np.ndarray, rng: np.random.Generator, count: int) -> np.ndarray:
    edges = cv2.morphologyEx((mask > 0.5).astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero(edges)
    if len(xs) == 0:
        return np.zeros((0, 2))
    pick = rng.integers(0, len(xs), count)
    return np.stack([xs[pick], ys[pick]], 1).astype(np.float64)


def person_silhouette(size: int, rng: np.random.Generator, full_body: bool | None = None, hair: bool | None = None) -> np.ndarray:
    """Head, neck, torso, arms (and sometimes legs) in a random pose, optionally with hair strands. Returns alpha."""
    s = size * SUPERSAMPLE
    c = np.zeros((s, s), np.float32)
    draw_full_body = rng.random() < 0.35
    full_body = draw_full_body if full_body is None else full_body
    scale = s * (0.55 if full_body else 1.0) * rng.uniform(0.85, 1.1)
    cx = s * rng.uniform(0.4, 0.6)
    head_r = scale * rng.uniform(0.09, 0.12)
    head_y = s * (0.15 if full_body else 0.28) + rng.normal(0, s * 0.02)
    shoulder_y = head_y + head_r * 2.1
    shoulder_w = scale * rng.uniform(0.22, 0.3)
    cv2.ellipse(c, (int(cx), int(head_y)), (int(head_r * 0.85), int(head_r)), rng.normal(0, 8), 0, 360, 1.0, -1, cv2.LINE_AA)
    cv2.rectangle(c, (int(cx - head_r * 0.35), int(head_y)), (int(cx + head_r * 0.35), int(shoulder_y + 5)), 1.0, -1)
    hip_y = shoulder_y + scale * rng.uniform(0.45, 0.55) if full_body else s * 1.05
    hip_w = shoulder_w * rng.uniform(0.7, 0.95)
    torso = np.array([[cx - shoulder_w, shoulder_y + head_r * 0.3], [cx - shoulder_w * 0.7, shoulder_y],
                      [cx + shoulder_w * 0.7, shoulder_y], [cx + shoulder_w, shoulder_y + head_r * 0.3],
                      [cx + hip_w, hip_y], [cx - hip_w, hip_y]], np.int32)
    cv2.fillPoly(c, [torso], 1.0, cv2.LINE_AA)
    limb = int(scale * rng.uniform(0.07, 0.1))
    for side in (-1, 1):
        shoulder = np.array([cx + side * shoulder_w * 0.9, shoulder_y + head_r * 0.4])
        upper = scale * 0.3
        a1 = np.deg2rad(90 - side * rng.uniform(-10, 70))
        elbow = shoulder + upper * np.array([np.cos(a1) * side * 0.6 + side * 0.2, np.sin(a1)])
        a2 = a1 + np.deg2rad(rng.uniform(-100, 60))
        hand = elbow + upper * 0.9 * np.array([np.cos(a2) * side, np.sin(a2)])
        cv2.polylines(c, [np.array([shoulder, elbow, hand], np.int32)], False, 1.0, limb, cv2.LINE_AA)
        cv2.circle(c, tuple(int(v) for v in hand), int(limb * 0.7), 1.0, -1, cv2.LINE_AA)
        if full_body:
            hip = np.array([cx + side * hip_w * 0.6, hip_y - 5])
            knee = hip + scale * 0.38 * np.array([side * rng.uniform(0, 0.3), 1.0])
            foot = knee + scale * 0.38 * np.array([side * rng.uniform(-0.2, 0.3), 1.0])
            cv2.polylines(c, [np.array([hip, knee, foot], np.int32)], False, 1.0, int(limb * 1.3), cv2.LINE_AA)
    draw_hair = rng.random() < 0.7
    if draw_hair if hair is None else hair:  # hair: a fringe of strands around the top of the head
        count = int(rng.uniform(60, 250))
        angles = rng.uniform(np.pi * 0.9, np.pi * 2.1, count)
        roots = np.stack([cx + head_r * 0.8 * np.cos(angles), head_y + head_r * 0.95 * np.sin(angles)], 1)
        _strands(c, rng, roots, head_r * rng.uniform(0.6, 2.5), SUPERSAMPLE // 2)
    return _soften(_down(np.clip(c, 0, 1), size), rng, 1.2)


def soft_shape(size: int, rng: np.random.Generator) -> np.ndarray:
    """Union of a few ellipses and polygons with edges softened by a random amount."""
    s = size * SUPERSAMPLE
    c = np.zeros((s, s), np.float32)
    for _ in range(int(rng.integers(1, 4))):
        center = (int(s * rng.uniform(0.3, 0.7)), int(s * rng.uniform(0.3, 0.7)))
        if rng.random() < 0.5:
            axes = (int(s * rng.uniform(0.1, 0.3)), int(s * rng.uniform(0.1, 0.3)))
            cv2.ellipse(c, center, axes, rng.uniform(0, 180), 0, 360, 1.0, -1, cv2.LINE_AA)
        else:
            n = int(rng.integers(3, 9))
            r = s * rng.uniform(0.1, 0.3)
            ang = np.sort(rng.uniform(0, 2 * np.pi, n))
            pts = np.stack([center[0] + r * np.cos(ang) * rng.uniform(0.6, 1.3, n),
                            center[1] + r * np.sin(ang) * rng.uniform(0.6, 1.3, n)], 1).astype(np.int32)
            cv2.fillPoly(c, [pts], 1.0, cv2.LINE_AA)
    return _soften(_down(c, size), rng, 3.0)


def fringed_blob(size: int, rng: np.random.Generator) -> np.ndarray:
    """A solid blob with thin strands growing out of its boundary (fur, plants, hair)."""
    base = soft_shape(size, rng)
    s = size * SUPERSAMPLE
    c = cv2.resize(base, (s, s), interpolation=cv2.INTER_LINEAR)
    roots = _boundary_points(c, rng, int(rng.uniform(40, 300)))
    _strands(c, rng, roots, s * rng.uniform(0.05, 0.25), int(rng.integers(1, SUPERSAMPLE + 1)))
    return np.clip(_down(np.clip(c, 0, 1), size), 0, 1)


def translucent(size: int, rng: np.random.Generator) -> np.ndarray:
    """Glass-like object: an opaque rim around a semi-transparent body whose opacity varies smoothly."""
    shape = soft_shape(size, rng)
    inner = cv2.erode(shape, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7)), iterations=int(rng.integers(1, 3)))
    ramp = cv2.GaussianBlur(rng.uniform(0, 1, (size, size)).astype(np.float32), (0, 0), size / 8)
    ramp = (ramp - ramp.min()) / (ramp.max() - ramp.min() + 1e-6)
    body = rng.uniform(0.1, 0.4) + rng.uniform(0.1, 0.5) * ramp
    return np.clip(shape - inner + inner * body, 0, 1).astype(np.float32)


PROCEDURAL_KINDS = {"person": (person_silhouette, 0.4), "fringed": (fringed_blob, 0.3), "translucent": (translucent, 0.15), "shape": (soft_shape, 0.15)}


def procedural_alpha(size: int, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    names = list(PROCEDURAL_KINDS)
    weights = np.array([PROCEDURAL_KINDS[n][1] for n in names])
    name = names[int(rng.choice(len(names), p=weights / weights.sum()))]
    return name, PROCEDURAL_KINDS[name][0](size, rng).astype(np.float32)


def procedural_background(size: int, rng: np.random.Generator) -> np.ndarray:
    """Indoor-like plates: flat walls with gradients, woven fabric, stripes and smooth noise."""
    kind = rng.integers(0, 4)
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = rng.uniform(0.05, 0.95, 3).astype(np.float32)
    grad = (rng.uniform(-0.3, 0.3, 3) * (xx[..., None] * rng.uniform(-1, 1) + yy[..., None] * rng.uniform(-1, 1))).astype(np.float32)
    img = base + grad
    if kind == 1:  # fabric weave
        period = rng.uniform(2, 8)
        weave = 0.5 + 0.5 * np.sin(2 * np.pi * xx * size / period) * np.sin(2 * np.pi * yy * size / period)
        img = img * (1 - rng.uniform(0.1, 0.4) * weave[..., None])
    elif kind == 2:  # stripes / panels
        period = rng.uniform(10, 60)
        img = img + rng.uniform(0.05, 0.2) * np.sign(np.sin(2 * np.pi * xx * size / period))[..., None] * rng.uniform(-1, 1, 3)
    elif kind == 3:  # smooth blotches
        noise = cv2.GaussianBlur(rng.uniform(-1, 1, (size, size, 3)).astype(np.float32), (0, 0), size / rng.uniform(4, 20))
        img = img + noise * rng.uniform(1, 4)
    img = img + rng.normal(0, rng.uniform(0, 0.02), img.shape)
    return np.clip(img, 0, 1).astype(np.float32)
