"""The cases the plate difference cannot decide, made on purpose.

- `skin_on_backdrop`: a person whose skin has the colour of the sky or wall behind it. The image-plate difference
  vanishes over the face, so only the subject's shape, its own shading and S can say "solid".
- `paint_large_camouflage`: large parts of any opaque subject take the background's colour but keep their own
  shading and texture (dark clothes in a dark room, leaves on foliage).
- `stems_and_leaves`, `grid`: thin structures with the background visible through their gaps.

Every function takes a numpy Generator so that a sample stays a pure function of its seed.
"""
from __future__ import annotations

import cv2
import numpy as np

from .procedural import SUPERSAMPLE, _down, person_silhouette

# Skin tones from light to dark (linear blends between neighbours are skin too), RGB in [0, 1].
SKIN_TONES = np.array([[0.96, 0.82, 0.72], [0.90, 0.72, 0.60], [0.80, 0.60, 0.47], [0.66, 0.46, 0.33],
                       [0.50, 0.33, 0.23], [0.36, 0.23, 0.16]], np.float32)


def skin_tone(rng: np.random.Generator) -> np.ndarray:
    i = rng.uniform(0, len(SKIN_TONES) - 1)
    lo = int(i)
    return SKIN_TONES[lo] + (SKIN_TONES[min(lo + 1, len(SKIN_TONES) - 1)] - SKIN_TONES[lo]) * (i - lo)


def _smooth_field(size: int, rng: np.random.Generator, sigma_frac: float) -> np.ndarray:
    """Zero-mean, unit-range smooth noise (lighting, blotches)."""
    f = cv2.GaussianBlur(rng.uniform(-1, 1, (size, size)).astype(np.float32), (0, 0), size * sigma_frac)
    return f / (np.abs(f).max() + 1e-6)


def shaded_surface(colour: np.ndarray, size: int, rng: np.random.Generator, grain: float) -> np.ndarray:
    """A surface of one colour with its own lighting gradient, soft blotches and fine grain (skin, cloth)."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    light = 1 + rng.uniform(-0.15, 0.15) * (xx - 0.5) + rng.uniform(-0.15, 0.15) * (yy - 0.5)
    light = light + rng.uniform(0.02, 0.08) * _smooth_field(size, rng, 0.06)
    fine = rng.normal(0, grain, (size, size)).astype(np.float32)
    return np.clip(colour[None, None, :] * (light + fine)[..., None], 0, 1).astype(np.float32)


def skin_on_backdrop(size: int, rng: np.random.Generator, busy: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A person silhouette (head, neck, hands and a band of the torso in skin, the rest clothes) in front of a
    backdrop whose upper part is a smooth sky or wall close to the skin's colour (within a few grey levels to ~25)
    and whose lower part may be the busy photo `busy` (a townscape under the sky). Returns alpha, F, background."""
    alpha = person_silhouette(size, rng, hair=rng.random() < 0.6)
    skin = skin_tone(rng)
    fg = shaded_surface(skin, size, rng, grain=rng.uniform(0.005, 0.02))
    ys = np.nonzero(alpha.max(1) > 0.5)[0]
    top, bottom = (int(ys.min()), int(ys.max())) if len(ys) else (0, size)
    clothes_from = int(top + (bottom - top) * rng.uniform(0.3, 0.6))
    if rng.random() < 0.8:  # clothes below a line under the face (hands stay skin only when above it)
        cloth = shaded_surface(rng.uniform(0.05, 0.9, 3).astype(np.float32), size, rng, grain=rng.uniform(0, 0.03))
        fg[clothes_from:] = cloth[clothes_from:]
    hair = (alpha > 0) & (np.arange(size)[:, None] < top + (bottom - top) * 0.08)
    if rng.random() < 0.7:  # hair colour on the top of the head and the strands
        fg[hair] = rng.uniform(0.05, 0.6) * rng.uniform(0.8, 1.0, 3)
    # The backdrop: skin colour, shifted by a little, with a gradient as skies and lit walls have.
    shift = rng.normal(0, rng.uniform(0.005, 0.06), 3).astype(np.float32)
    backdrop = shaded_surface(np.clip(skin + shift, 0, 1), size, rng, grain=rng.uniform(0, 0.008))
    if rng.random() < 0.5:  # a horizon: the busy photo below a line under the head
        horizon = int(top + (bottom - top) * rng.uniform(0.35, 1.0))
        ramp = np.clip((np.arange(size, dtype=np.float32) - horizon) / max(1.0, size * 0.02), 0, 1)[:, None, None]
        backdrop = backdrop * (1 - ramp) + busy * ramp
    return alpha, np.clip(fg, 0, 1).astype(np.float32), np.clip(backdrop, 0, 1).astype(np.float32)


def paint_large_camouflage(alpha: np.ndarray, fg: np.ndarray, bg: np.ndarray, rng: np.random.Generator,
                           scale: float) -> np.ndarray:
    """Give a large part (roughly 20-70 %) of the subject's solid interior the background's colour, keeping the
    subject's own shading: the painted F is the background blurred (its local colour, not its texture) times
    the subject's relative brightness there. Unlike `Synthesiser.camouflage` (small print, exact colour), this
    is a face against a sky or a dark coat in a dark room."""
    s = alpha.shape[0]
    inner = cv2.erode((alpha > 0.97).astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(1, round(3 * scale)))
    ys, xs = np.nonzero(inner)
    if len(xs) < 50:
        return fg
    region = np.zeros((s, s), np.uint8)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    for _ in range(int(rng.integers(1, 4))):
        i = rng.integers(0, len(xs))
        axes = (int((x1 - x0 + 1) * rng.uniform(0.15, 0.5)) + 1, int((y1 - y0 + 1) * rng.uniform(0.15, 0.5)) + 1)
        cv2.ellipse(region, (int(xs[i]), int(ys[i])), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
    region &= inner
    weight = cv2.GaussianBlur(region.astype(np.float32), (0, 0), max(0.7, 2 * scale))[..., None]
    grey = fg.mean(2, keepdims=True)
    local = cv2.GaussianBlur(grey, (0, 0), max(1.0, 12 * scale))
    relative = grey / np.maximum(local[..., None] if local.ndim == 2 else local, 1e-3)
    backdrop_colour = cv2.GaussianBlur(bg, (0, 0), max(1.0, 16 * scale))
    painted = np.clip(backdrop_colour * np.clip(relative, 0.8, 1.2), 0, 1)
    return (fg * (1 - weight) + painted * weight).astype(np.float32)


def stems_and_leaves(size: int, rng: np.random.Generator) -> np.ndarray:
    """A bouquet-like alpha: branching stems 1-4 px wide, with leaves and petals at their ends and along them;
    the background shows between them."""
    s = size * SUPERSAMPLE
    c = np.zeros((s, s), np.float32)
    base = np.array([s * rng.uniform(0.35, 0.65), s * rng.uniform(0.85, 1.05)])
    for _ in range(int(rng.integers(3, 12))):
        angle = -np.pi / 2 + rng.normal(0, 0.5)
        p = base + rng.normal(0, s * 0.03, 2)
        width = int(rng.uniform(1, 4) * SUPERSAMPLE)
        pts = [p.copy()]
        for _ in range(int(rng.integers(8, 24))):
            angle += rng.normal(0, 0.12)
            p = p + s * 0.035 * np.array([np.cos(angle), np.sin(angle)])
            pts.append(p.copy())
            if rng.random() < 0.25:  # a leaf or petal beside the stem
                _leaf(c, p, angle + rng.choice([-1, 1]) * rng.uniform(0.5, 1.2), s * rng.uniform(0.02, 0.07), rng)
        cv2.polylines(c, [np.array(pts, np.int32)], False, 1.0, max(1, width), cv2.LINE_AA)
        if rng.random() < 0.7:  # a flower head or a leaf at the tip
            _leaf(c, p, angle, s * rng.uniform(0.03, 0.09), rng)
    return np.clip(_down(c, size), 0, 1).astype(np.float32)


def _leaf(canvas: np.ndarray, at: np.ndarray, angle: float, length: float, rng: np.random.Generator) -> None:
    centre = at + 0.5 * length * np.array([np.cos(angle), np.sin(angle)])
    axes = (int(length * 0.5) + 1, int(length * rng.uniform(0.12, 0.3)) + 1)
    cv2.ellipse(canvas, (int(centre[0]), int(centre[1])), axes, float(np.degrees(angle)), 0, 360, 1.0, -1, cv2.LINE_AA)


def grid(size: int, rng: np.random.Generator) -> np.ndarray:
    """A railing, mesh or fence: bars 1-5 px wide every 6-40 px, inside a random frame, rotated a little."""
    s = size * SUPERSAMPLE
    c = np.zeros((s, s), np.float32)
    x0, y0 = int(s * rng.uniform(0, 0.3)), int(s * rng.uniform(0, 0.3))
    x1, y1 = int(s * rng.uniform(0.7, 1.0)), int(s * rng.uniform(0.7, 1.0))
    width = max(1, int(rng.uniform(1, 5) * SUPERSAMPLE))
    step = rng.uniform(6, 40) * SUPERSAMPLE
    for x in np.arange(x0, x1, step):
        cv2.line(c, (int(x), y0), (int(x), y1), 1.0, width, cv2.LINE_AA)
    if rng.random() < 0.6:  # a mesh, not only bars
        for y in np.arange(y0, y1, step * rng.uniform(0.5, 2)):
            cv2.line(c, (x0, int(y)), (x1, int(y)), 1.0, width, cv2.LINE_AA)
    cv2.rectangle(c, (x0, y0), (x1, y1), 1.0, width * 2)
    m = cv2.getRotationMatrix2D((s / 2, s / 2), rng.normal(0, 10), 1.0)
    c = cv2.warpAffine(c, m, (s, s), flags=cv2.INTER_LINEAR, borderValue=0)
    return np.clip(_down(c, size), 0, 1).astype(np.float32)


THIN_KINDS = {"stems": stems_and_leaves, "grid": grid}
