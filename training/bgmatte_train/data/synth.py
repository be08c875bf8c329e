"""Deterministic synthesiser of training samples (I, B', S, M, alpha, F) for the supervised stage.

Each sample is a pure function of (seed, index): `Synthesiser(...).sample(index)`. The recipe follows the
paper: composite a foreground with known alpha on a background, then give the network a *perturbed* plate, a
simulated soft segmentation S and simulated motion cues M, so that it cannot simply subtract.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .foreground import estimate_foreground
from .hard_cases import THIN_KINDS, paint_large_camouflage, skin_on_backdrop
from .plate_difference import difference_mask
from .procedural import procedural_alpha, procedural_background, soft_shape

# Held out of training for validation (4 of the 22 alphamatting foregrounds), and a few backgrounds with them.
VALIDATION_FOREGROUNDS = ("GT02", "GT08", "GT13", "GT25")
VALIDATION_BACKGROUND_EVERY = 8  # every 8th background photo (sorted) is validation-only

cv2.setNumThreads(1)


@dataclass
class Foreground:
    name: str
    fg: np.ndarray  # H x W x 3 float32 [0,1]
    alpha: np.ndarray  # H x W float32 [0,1]


@dataclass
class Sample:
    image: np.ndarray  # H x W x 3, the shot, with every perturbation applied
    plate: np.ndarray  # H x W x 3, the perturbed clean plate B'
    prior: np.ndarray  # H x W, soft segmentation S
    motion: np.ndarray  # H x W x 4, grey neighbour frames M
    alpha: np.ndarray  # H x W, ground truth
    fg: np.ndarray  # H x W x 3, ground-truth foreground colour
    bg: np.ndarray  # H x W x 3, the true background behind the subject in the shot (shadow included)
    info: dict = field(default_factory=dict)


def _read_rgb(path: Path, max_side: int) -> np.ndarray:
    img = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if img is None:
        raise FileNotFoundError(f"cannot read image {path}")
    scale = max_side / max(img.shape[:2])
    if scale < 1:
        img = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB).astype(np.float32) / 255


def load_alphamatting(root: Path, names: list[str] | None = None, max_side: int = 640) -> list[Foreground]:
    """Ground-truth foregrounds with F estimated from image + alpha (blur-fusion), downscaled to `max_side`."""
    out = []
    for alpha_path in sorted((root / "alpha").glob("*.png")):
        name = alpha_path.stem
        if names is not None and name not in names:
            continue
        image = _read_rgb(root / "image" / alpha_path.name, max_side)
        alpha = cv2.imread(str(alpha_path), cv2.IMREAD_GRAYSCALE)
        alpha = cv2.resize(alpha, (image.shape[1], image.shape[0]), interpolation=cv2.INTER_AREA).astype(np.float32) / 255
        out.append(Foreground(name, estimate_foreground(image, alpha), alpha))
    return out


def load_backgrounds(root: Path, validation: bool, max_side: int = 640) -> list[np.ndarray]:
    paths = sorted(p for p in root.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    chosen = [p for i, p in enumerate(paths) if (i % VALIDATION_BACKGROUND_EVERY == 0) == validation]
    return [_read_rgb(p, max_side) for p in chosen]


def composite(alpha: np.ndarray, fg: np.ndarray, bg: np.ndarray) -> np.ndarray:
    a = alpha[..., None]
    return a * fg + (1 - a) * bg


# ---------------------------------------------------------------- geometry helpers
def _affine(size: int, center: tuple[float, float], window: float, angle_deg: float, flip: bool) -> np.ndarray:
    """Affine map taking a square window (side `window`, centred on `center`) of the source onto size x size."""
    m = cv2.getRotationMatrix2D(center, angle_deg, size / window)
    m[0, 2] += size / 2 - center[0]
    m[1, 2] += size / 2 - center[1]
    if flip:
        m = np.array([[-1, 0, size], [0, 1, 0]], np.float64) @ np.vstack([m, [0, 0, 1]])
    return m


def _random_crop(img: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    h, w = img.shape[:2]
    side = int(min(h, w) * rng.uniform(0.5, 1.0))
    y, x = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
    crop = img[y:y + side, x:x + side]
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    return cv2.resize(np.ascontiguousarray(crop), (size, size), interpolation=cv2.INTER_AREA)


def _ellipse(k: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))


def _odd(x: float) -> int:
    return max(3, int(round(x)) // 2 * 2 + 1)


# ---------------------------------------------------------------- the synthesiser
def glass_object(s: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], np.ndarray]:
    """A clear glass object at s x s: a thin, fairly opaque rim and a few highlights around a body that lets 70-97 %
    of the background through, and the refraction that shifts what is seen through it (a smooth field of a few
    pixels). Returns alpha, F, the flow (x, y) and the object's mask (the GPU recipe's bank stores them)."""
    mask = (soft_shape(s, rng) > 0.5).astype(np.uint8)
    inner = cv2.erode(mask, _ellipse(3), iterations=max(1, round(rng.uniform(2, 6) * s / 256)))
    body = rng.uniform(0.03, 0.3) + rng.uniform(0, 0.1) * cv2.GaussianBlur(
        rng.uniform(0, 1, (s, s)).astype(np.float32), (0, 0), s / 10)
    alpha = inner * body + (mask - inner) * rng.uniform(0.4, 0.9)
    fg = np.repeat(rng.uniform(0.5, 1.0) * cv2.GaussianBlur(
        rng.uniform(0.8, 1.1, (s, s)).astype(np.float32), (0, 0), s / 12)[..., None], 3, axis=2)
    fg = fg * rng.uniform(0.9, 1.1, 3)  # a faint tint
    ys, xs = np.nonzero(inner)
    streaks = np.zeros((s, s), np.float32)
    for _ in range(int(rng.integers(0, 4)) if len(xs) else 0):  # highlights: short bright strokes
        i = rng.integers(0, len(xs))
        x, y = int(xs[i]), int(ys[i])
        cv2.line(streaks, (x, y), (x + int(rng.integers(-4, 5)), y + int(rng.uniform(5, 40) * s / 256)),
                 float(rng.uniform(0.4, 0.9)), max(1, round(rng.uniform(1, 3) * s / 256)))
    alpha = np.maximum(alpha, streaks * inner)
    fg = np.where(streaks[..., None] > 0, 1.0, fg)
    alpha = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), rng.uniform(0.5, 1.2) * s / 256)
    amplitude = rng.uniform(1, 8) * s / 256
    flow = [cv2.GaussianBlur(rng.normal(0, 1, (s, s)).astype(np.float32), (0, 0), s / 16) for _ in range(2)]
    flow = [f / (np.abs(f).max() + 1e-6) * amplitude * cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 3)
            for f in flow]
    return alpha, fg, flow, mask


class Synthesiser:
    def __init__(self, foregrounds: list[Foreground], backgrounds: list[np.ndarray], size: int = 256, seed: int = 0,
                 procedural_fraction: float = 0.5, still_fraction: float = 0.5, textures: list[np.ndarray] | None = None,
                 difference_prior_fraction: float = 0.5, camouflage_fraction: float = 0.0,
                 shot_noise: float = 3.0, glass_fraction: float = 0.0, glass_optics: float = 0.0,
                 skin_backdrop_fraction: float = 0.0, large_camouflage_fraction: float = 0.0,
                 thin_fraction: float = 0.0, trusted_prior_fraction: float = 0.75,
                 trust_camouflage_prior: bool = True, small_subject_fraction: float = 0.0) -> None:
        if size % 4:
            raise ValueError(f"size must be a multiple of 4, got {size}")
        self.foregrounds = foregrounds
        self.backgrounds = backgrounds
        self.textures = textures if textures is not None else backgrounds
        self.size = size
        self.seed = seed
        self.procedural_fraction = procedural_fraction if foregrounds else 1.0
        self.still_fraction = still_fraction
        # Half the priors come from the image-plate difference, as at inference; half from alpha, as in the paper.
        self.difference_prior_fraction = difference_prior_fraction
        # Share of samples where parts of an opaque subject take the background's colour (dark print on a dark
        # wall, a shirt the colour of the sofa): the image-plate difference says "background" there, and only
        # context and S can say "subject". Users' top complaint besides misalignment.
        self.camouflage_fraction = camouflage_fraction
        # Share of samples whose subject is clear glass (see `glass`): camouflage teaches "background colour inside a
        # subject is still subject"; glass is the counter-case where the background really shows through.
        self.glass_fraction = glass_fraction
        # 0..1: how strongly thick glass and water also blur and dim what is seen through them (see `glass`). A jug
        # of water on a textured wall (realpairs scene06) shows the texture softened and tinted, not merely shifted.
        self.glass_optics = glass_optics
        # The cases the plate difference cannot decide (data/hard_cases.py): a person whose skin has the colour of
        # the sky or wall behind (face see-through), large camouflaged parts of any subject, and stems, leaves and
        # grids with the background open between them (gap fill). Each is drawn only when its share is above 0, so
        # runs without them replay their stream exactly.
        self.skin_backdrop_fraction = skin_backdrop_fraction
        self.large_camouflage_fraction = large_camouflage_fraction
        self.thin_fraction = thin_fraction
        # In skin and large-camouflage samples, the share whose S comes from alpha (a person model or a user's mask
        # covers the face; the plate difference does not): the network must learn to trust S where the difference
        # vanishes.
        self.trusted_prior_fraction = trusted_prior_fraction
        # Share of samples framed as fast mode and the live page see them: the whole frame goes through the network,
        # so a person at a webcam fills a third to four fifths of it, often cut by its bottom edge (see
        # `_as_small_subject`). Drawn only when above 0.
        self.small_subject_fraction = small_subject_fraction
        # Whether large-camouflage samples (any subject) may get that trusted S too. At inference only people (the
        # segmenter) and users' masks give one; objects get the plate difference.
        self.trust_camouflage_prior = trust_camouflage_prior
        # Upper bound of the shot's sensor noise sigma, on 0..255 (phone captures of dark textures are noisy).
        self.shot_noise = shot_noise
        # The paper's morphology counts are for 512 px; scale them to the working size.
        self.scale = size / 512

    # ---- foreground and background
    def _real_foreground(self, rng: np.random.Generator) -> tuple[str, np.ndarray, np.ndarray]:
        f = self.foregrounds[int(rng.integers(0, len(self.foregrounds)))]
        ys, xs = np.nonzero(f.alpha > 0.02)
        x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
        if rng.random() < 0.3:  # zoom on a piece of the boundary, where the fine detail is
            bx, by = _boundary_points_of(f.alpha, rng)
            center = (float(bx), float(by))
            window = max(x1 - x0, y1 - y0) * rng.uniform(0.3, 0.6)
        else:  # the whole subject, framed like the inference crop (bounding box plus a margin)
            window = max(x1 - x0, y1 - y0) * rng.uniform(1.05, 1.35)
            center = ((x0 + x1) / 2 + rng.normal(0, 0.05) * window, (y0 + y1) / 2 + rng.normal(0, 0.05) * window)
        m = _affine(self.size, center, window, rng.normal(0, 5), rng.random() < 0.5)
        dsize = (self.size, self.size)
        alpha = cv2.warpAffine(f.alpha, m, dsize, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        fg = cv2.warpAffine(f.fg, m, dsize, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        return f.name, np.clip(alpha, 0, 1), np.clip(fg, 0, 1)

    def _as_small_subject(self, alpha: np.ndarray, fg: np.ndarray,
                          rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """The subject shrunk to 35-80 % of the frame at a random place, half the time standing on the bottom edge."""
        s = self.size
        k = int(round(s * rng.uniform(0.35, 0.8)))
        small_alpha = cv2.resize(alpha, (k, k), interpolation=cv2.INTER_AREA)
        small_fg = cv2.resize(fg, (k, k), interpolation=cv2.INTER_AREA)
        x0 = int(rng.integers(0, s - k + 1))
        y0 = s - k if rng.random() < 0.5 else int(rng.integers(0, s - k + 1))
        framed = np.zeros((s, s), np.float32)
        framed[y0:y0 + k, x0:x0 + k] = small_alpha
        # F beyond the shrunk subject: its edge colours carried outward (α is 0 there).
        fg_framed = cv2.copyMakeBorder(small_fg, y0, s - k - y0, x0, s - k - x0, cv2.BORDER_REPLICATE)
        return framed, fg_framed

    def _procedural_foreground(self, rng: np.random.Generator) -> tuple[str, np.ndarray, np.ndarray]:
        kind, alpha = procedural_alpha(self.size, rng)
        return f"procedural-{kind}", alpha, self._subject_texture(rng)

    def _subject_texture(self, rng: np.random.Generator) -> np.ndarray:
        if self.textures:
            texture = _random_crop(self.textures[int(rng.integers(0, len(self.textures)))], self.size, rng)
        else:
            texture = procedural_background(self.size, rng)
        if rng.random() < 0.4:  # flat clothing-like colour with shading instead of a photo texture
            shade = cv2.GaussianBlur(rng.uniform(0.7, 1.1, (self.size, self.size)).astype(np.float32), (0, 0), self.size / 10)
            texture = np.clip(rng.uniform(0, 1, 3).astype(np.float32) * shade[..., None], 0, 1)
        return texture

    def _hard_case(self, rng: np.random.Generator) -> tuple[str, np.ndarray, np.ndarray, np.ndarray] | None:
        """A skin-on-backdrop person or a thin structure (name, alpha, F, background), or None for the usual mix."""
        if self.skin_backdrop_fraction > 0 and rng.random() < self.skin_backdrop_fraction:
            alpha, fg, bg = skin_on_backdrop(self.size, rng, self._background(rng))
            return "skin-backdrop", alpha, fg, bg
        if self.thin_fraction > 0 and rng.random() < self.thin_fraction:
            names = sorted(THIN_KINDS)
            kind = names[int(rng.integers(0, len(names)))]
            alpha = THIN_KINDS[kind](self.size, rng)
            return f"thin-{kind}", alpha, self._subject_texture(rng), self._background(rng)
        return None

    def _background(self, rng: np.random.Generator) -> np.ndarray:
        if self.backgrounds and rng.random() < 0.75:
            return _random_crop(self.backgrounds[int(rng.integers(0, len(self.backgrounds)))], self.size, rng)
        return procedural_background(self.size, rng)

    # ---- perturbations
    def cast_shadow(self, bg: np.ndarray, alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Darken the background where a sheared, shifted, blurred copy of the subject falls (image only)."""
        h, w = alpha.shape
        s = max(h, w)
        m = np.array([[1, rng.uniform(-0.6, 0.6), rng.uniform(-0.2, 0.2) * s], [0, rng.uniform(0.6, 1.0), rng.uniform(0, 0.15) * s]], np.float32)
        shadow = cv2.warpAffine(alpha, m, (w, h), borderValue=0)
        shadow = cv2.GaussianBlur(shadow, (0, 0), rng.uniform(2, 12) * s / 256)
        return bg * (1 - rng.uniform(0.2, 0.6) * shadow[..., None])

    def perturb_plate(self, plate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if rng.random() < 0.4:  # sensor noise (values on 0..255, as in the paper)
            plate = plate + (rng.uniform(-7, 6) + rng.normal(0, rng.uniform(2, 5), plate.shape)) / 255
        else:  # exposure / tone curve drift
            plate = np.clip(plate, 0, 1) ** max(0.5, rng.normal(1, 0.12))
        if rng.random() < 0.8:  # colour jitter: per-channel gain and bias
            plate = plate * rng.uniform(0.93, 1.07, 3) + rng.uniform(-0.03, 0.03, 3)
        if rng.random() < 0.3:  # small affine misalignment (hand-held residual)
            h, w = plate.shape[:2]
            m = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-1, 1), 1 + rng.uniform(-0.01, 0.01))
            m[:, 2] += rng.uniform(-0.01, 0.01, 2) * max(h, w)
            plate = cv2.warpAffine(plate.astype(np.float32), m, (w, h), borderMode=cv2.BORDER_REFLECT)
        if rng.random() < 0.15:
            plate = cv2.GaussianBlur(plate.astype(np.float32), (0, 0), rng.uniform(0.5, 1.5))
        return np.clip(plate, 0, 1).astype(np.float32)

    def camouflage(self, alpha: np.ndarray, fg: np.ndarray, bg: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Paint small blobs and text-like strokes deep inside the opaque subject with the background's colour.

        Kept small (a few percent of the subject) so that large see-through regions still read as transparent.
        """
        s = self.size
        inner = cv2.erode((alpha > 0.97).astype(np.uint8), _ellipse(3), iterations=max(2, round(6 * self.scale)))
        ys, xs = np.nonzero(inner)
        if len(xs) < 50:
            return fg
        paint = np.zeros((s, s), np.uint8)
        for _ in range(int(rng.integers(1, 7))):
            i = rng.integers(0, len(xs))
            x, y = int(xs[i]), int(ys[i])
            if rng.random() < 0.5:  # a blob
                axes = (int(rng.uniform(2, 14) * s / 256) + 1, int(rng.uniform(2, 14) * s / 256) + 1)
                cv2.ellipse(paint, (x, y), axes, float(rng.uniform(0, 180)), 0, 360, 1, -1)
            else:  # a line of print: short strokes side by side
                height = int(rng.uniform(3, 12) * s / 256) + 1
                for k in range(int(rng.integers(2, 8))):
                    x0 = x + k * int(height * rng.uniform(0.6, 1.0))
                    cv2.line(paint, (x0, y), (x0 + int(rng.integers(-2, 3)), y + height), 1,
                             max(1, int(rng.uniform(1, 3) * s / 256)))
        paint &= inner
        if paint.sum() > 0.15 * max(1, inner.sum()):
            return fg
        weight = cv2.GaussianBlur(paint.astype(np.float32), (0, 0), 0.7)[..., None]
        like_bg = np.clip(bg * rng.uniform(0.9, 1.1, 3) + rng.uniform(-0.03, 0.03, 3), 0, 1)
        return (fg * (1 - weight) + like_bg * weight).astype(np.float32)

    def glass(self, bg: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A clear glass object (see `glass_object`) over `bg`. Returns alpha, F, and the background as seen through
        the glass, with which I = alpha F + (1 - alpha) bg holds exactly; the plate keeps the unrefracted
        background, as a real plate does."""
        s = self.size
        alpha, fg, flow, mask = glass_object(s, rng)
        gx, gy = np.meshgrid(np.arange(s, dtype=np.float32), np.arange(s, dtype=np.float32))
        seen = cv2.remap(bg.astype(np.float32), gx + flow[0], gy + flow[1], cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_REFLECT)
        if self.glass_optics > 0:  # no draw when off: runs without it replay their stream exactly
            alpha, fg, seen = self._thick_glass(alpha, fg, seen, mask, rng)
        return (np.clip(alpha, 0, 1).astype(np.float32), np.clip(fg, 0, 1).astype(np.float32),
                np.clip(seen, 0, 1).astype(np.float32))

    def _thick_glass(self, alpha: np.ndarray, fg: np.ndarray, seen: np.ndarray, mask: np.ndarray,
                     rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Thick glass and water blur what is seen through them and let only a share t of its light through. The
        blur stays in the seen background; the dimming goes into the matte, as a two-background triangulation
        measures it: I = a F + (1 - a) t seen = a' F' + (1 - a') seen with a' = 1 - (1 - a) t and a' F' = a F."""
        k = self.glass_optics
        inside = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 2)
        sigma = rng.uniform(0.3, 2.5) * k * self.size / 256
        if sigma > 0.2:
            seen = seen + (cv2.GaussianBlur(seen, (0, 0), sigma) - seen) * inside[..., None]
        t = 1 - inside * k * rng.uniform(0, 0.25)
        a_eff = 1 - (1 - alpha) * t
        fg_eff = fg * (alpha / np.maximum(a_eff, 1e-4))[..., None]
        return a_eff, fg_eff, seen

    def simulate_prior(self, alpha: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """S: alpha > 0.5, eroded 10-19x, dilated 15-29x (5x5), 0-2 random holes, blurred (21/31/41), at 512-px scale."""
        return self._soften_mask((alpha > 0.5).astype(np.uint8), rng)

    def difference_prior(self, image: np.ndarray, plate: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """S as the product makes it without a person model: where the shot differs from its plate
        (data/plate_difference.py, the product's recipe), so the network learns to live with that prior's misses
        (see-through parts, colours close to the background) and false hits (shadows)."""
        return self._soften_mask(difference_mask(image, plate), rng)

    def _soften_mask(self, mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        sc = self.scale
        mask = cv2.erode(mask, _ellipse(3), iterations=max(1, round(rng.integers(10, 20) * sc)))
        mask = cv2.dilate(mask, _ellipse(5), iterations=max(1, round(rng.integers(15, 30) * sc)))
        ys, xs = np.nonzero(mask)
        for _ in range(int(rng.integers(0, 3)) if len(xs) else 0):
            i = rng.integers(0, len(xs))
            r = int(rng.uniform(15, 45) * sc / 2) + 1
            cv2.circle(mask, (int(xs[i]), int(ys[i])), r, 0, -1)
        k = _odd(rng.choice([21, 31, 41]) * sc)
        return cv2.GaussianBlur(mask.astype(np.float32), (k, k), 0)

    def _simulate_motion(self, alpha: np.ndarray, fg: np.ndarray, bg_noisy: np.ndarray, image: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, bool]:
        """M: 4 grey frames. For stills the grey image repeated; otherwise 4 affine copies of the subject."""
        grey = lambda x: cv2.cvtColor(x.astype(np.float32), cv2.COLOR_RGB2GRAY)
        if rng.random() < self.still_fraction:
            return np.repeat(grey(image)[..., None], 4, 2), True
        s = self.size
        frames = []
        for _ in range(4):
            angle = rng.normal(0, 7)
            scale = 1 + rng.normal(0, 0.05)
            m = cv2.getRotationMatrix2D((s / 2, s / 2), angle, scale)
            m[0, 1] += rng.normal(0, 0.05)
            m[:, 2] += rng.normal(0, 5 * self.scale * 2, 2)
            a = cv2.warpAffine(alpha, m, (s, s), borderValue=0)
            f = cv2.warpAffine(fg, m, (s, s), borderMode=cv2.BORDER_REPLICATE)
            frames.append(grey(np.clip(composite(a, f, bg_noisy), 0, 1)))
        return np.stack(frames, 2), False

    # ---- one sample
    def clean_sample(self, index: int) -> tuple[np.random.Generator, str, np.ndarray, np.ndarray, np.ndarray]:
        """The unperturbed composite parts (rng continues for the perturbations): name, alpha, fg, bg."""
        rng = np.random.default_rng([self.seed, index])
        hard = self._hard_case(rng)
        if hard is not None:
            return (rng, *hard)
        if rng.random() < self.procedural_fraction:
            name, alpha, fg = self._procedural_foreground(rng)
        else:
            name, alpha, fg = self._real_foreground(rng)
        if self.small_subject_fraction > 0 and rng.random() < self.small_subject_fraction:
            alpha, fg = self._as_small_subject(alpha, fg, rng)
        if rng.random() < 0.5:  # colour jitter of the subject, so colours are not memorised per foreground
            fg = np.clip(fg * rng.uniform(0.85, 1.15, 3) + rng.uniform(-0.05, 0.05, 3), 0, 1).astype(np.float32)
        return rng, name, alpha, fg, self._background(rng)

    def sample(self, index: int) -> Sample:
        rng, name, alpha, fg, bg = self.clean_sample(index)
        plate = self.perturb_plate(bg, rng)
        shot_bg = bg
        shadow = rng.random() < 0.3
        if shadow:
            shot_bg = self.cast_shadow(shot_bg, alpha, rng)
        if rng.random() < 0.2:  # light changed a little between plate and shot
            shot_bg = shot_bg * rng.uniform(0.95, 1.05)
        shot_bg = np.clip(shot_bg, 0, 1).astype(np.float32)
        # No draw when off (as for camouflage), so runs without glass replay their stream exactly.
        if self.glass_fraction > 0 and rng.random() < self.glass_fraction:
            name = "glass"
            alpha, fg, shot_bg = self.glass(shot_bg, rng)
        # Like the prior's draw below: no draw when off, so runs without camouflage replay their stream exactly.
        if self.camouflage_fraction > 0 and rng.random() < self.camouflage_fraction:
            fg = self.camouflage(alpha, fg, shot_bg, rng)
        large = name != "glass" and self.large_camouflage_fraction > 0 and rng.random() < self.large_camouflage_fraction
        if large:
            fg = paint_large_camouflage(alpha, fg, shot_bg, rng, self.scale)
        image = composite(alpha, fg, shot_bg)
        # Cameras are noisy in the shot as well as in the plate.
        image = image + rng.normal(0, rng.uniform(0, self.shot_noise) / 255, image.shape)
        if rng.random() < 0.1:
            image = cv2.GaussianBlur(image.astype(np.float32), (0, 0), rng.uniform(0.4, 1.0))
        image = np.clip(image, 0, 1).astype(np.float32)
        # No draw at all when the fraction is 0, so that such runs replay the original (alpha-only) stream exactly.
        from_difference = self.difference_prior_fraction > 0 and rng.random() < self.difference_prior_fraction
        trusted_kind = name == "skin-backdrop" or (large and self.trust_camouflage_prior)
        if trusted_kind and rng.random() < self.trusted_prior_fraction:
            from_difference = False
        prior = self.difference_prior(image, plate, rng) if from_difference else self.simulate_prior(alpha, rng)
        noisy_bg = np.clip(shot_bg + rng.normal(0, 2 / 255, shot_bg.shape), 0, 1)
        motion, still = self._simulate_motion(alpha, fg, noisy_bg, image, rng)
        return Sample(image, plate, prior, np.clip(motion, 0, 1).astype(np.float32), alpha, fg, shot_bg,
                      {"index": index, "foreground": name, "shadow": shadow, "still": still,
                       "prior": "difference" if from_difference else "alpha"})


def _boundary_points_of(alpha: np.ndarray, rng: np.random.Generator) -> tuple[int, int]:
    unknown = (alpha > 0.05) & (alpha < 0.95)
    ys, xs = np.nonzero(unknown)
    if len(xs) == 0:
        ys, xs = np.nonzero(alpha > 0.5)
    i = rng.integers(0, len(xs))
    return int(xs[i]), int(ys[i])


def to_tensors(sample: Sample) -> dict[str, np.ndarray]:
    """CHW float32 arrays, the layout the network takes."""
    chw = lambda x: np.ascontiguousarray((x[..., None] if x.ndim == 2 else x).transpose(2, 0, 1), dtype=np.float32)
    return {k: chw(getattr(sample, k)) for k in ("image", "plate", "prior", "motion", "alpha", "fg", "bg")}
