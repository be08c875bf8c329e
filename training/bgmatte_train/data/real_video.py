"""Unlabeled real video for the self-supervised stage: frames, their plates, motion cues and priors.

Folder layout (documented in the README):
    <videos>/<name>.<mp4|avi|mov|...>     a clip from a fixed (or hand-held) camera
    <videos>/<name>.plate.png             its clean plate (optional for a fixed camera: estimated by temporal
                                          median when absent; required for a hand-held one)

Hand-held recipe: the plate is aligned to every frame it is used with (ORB features — OpenCV 5's Python build has no
AKAZE —, best 15 % of the matches, RANSAC homography, warp; what the warp leaves empty is taken from the frame), as
the product does per photo.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from .synth import Synthesiser

VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"}


def read_frames(path: Path, max_side: int) -> tuple[np.ndarray, float]:
    """All frames (N x H x W x 3 float32 RGB in [0,1]), downscaled so the longer side is at most `max_side`, and
    the clip's frame rate (30 when the container does not say)."""
    cap = cv2.VideoCapture(str(path))
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        scale = min(1.0, max_side / max(f.shape[:2]))
        if scale < 1:
            f = cv2.resize(f, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    cap.release()
    if not frames:
        raise ValueError(f"cannot read any frame from {path}")
    return np.stack(frames).astype(np.float32) / 255, float(fps) if 0 < fps < 1000 else 30.0


def estimate_plate(frames: np.ndarray, samples: int = 40) -> np.ndarray:
    """Temporal median over frames sampled across the clip (the subject moves, the background stays)."""
    idx = np.linspace(0, len(frames) - 1, min(samples, len(frames))).round().astype(int)
    return np.median(frames[idx], axis=0).astype(np.float32)


@dataclass
class Clip:
    name: str
    frames: np.ndarray
    plate: np.ndarray
    hand_held: bool = False
    fps: float = 30.0

    def motion_frames(self, seconds: float) -> int:
        """The motion cues' spacing T in this clip's frames (inference's spacing is in seconds too)."""
        return max(1, round(seconds * self.fps))


def _grey_u8(x: np.ndarray) -> np.ndarray:
    return (np.clip(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), 0, 1) * 255).astype(np.uint8)


def align_plate_to(frame: np.ndarray, plate: np.ndarray, min_inliers: int = 12) -> np.ndarray:
    """The plate warped onto the frame by a RANSAC homography; unchanged when too few features match."""
    orb = cv2.ORB_create(nfeatures=2000)
    kp_p, des_p = orb.detectAndCompute(_grey_u8(plate), None)
    kp_f, des_f = orb.detectAndCompute(_grey_u8(frame), None)
    if des_p is None or des_f is None or len(kp_p) < min_inliers or len(kp_f) < min_inliers:
        return plate
    matches = sorted(cv2.BFMatcher(cv2.NORM_HAMMING, crossCheck=True).match(des_p, des_f), key=lambda m: m.distance)
    matches = matches[:max(min_inliers, int(len(matches) * 0.15))]
    if len(matches) < min_inliers:
        return plate
    src = np.float32([kp_p[m.queryIdx].pt for m in matches])
    dst = np.float32([kp_f[m.trainIdx].pt for m in matches])
    h, inliers = cv2.findHomography(src, dst, cv2.RANSAC, 3.0)
    if h is None or int(inliers.sum()) < min_inliers:
        return plate
    size = (frame.shape[1], frame.shape[0])
    warped = cv2.warpPerspective(plate, h, size, flags=cv2.INTER_LINEAR, borderValue=(-1, -1, -1))
    empty = warped[..., 0] < 0
    warped[empty] = frame[empty]
    return warped.astype(np.float32)


def load_clips(folder: Path, max_side: int = 512, hand_held: bool = False) -> list[Clip]:
    clips = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_EXTENSIONS):
        frames, fps = read_frames(path, max_side)
        plate_path = path.with_suffix(".plate.png")
        if plate_path.exists():
            plate = cv2.cvtColor(cv2.imread(str(plate_path)), cv2.COLOR_BGR2RGB).astype(np.float32) / 255
            plate = cv2.resize(plate, (frames.shape[2], frames.shape[1]), interpolation=cv2.INTER_AREA)
        elif hand_held:
            raise ValueError(f"{path.name}: a hand-held clip needs its plate as {plate_path.name} (a moving camera "
                             "has no temporal median background)")
        else:
            plate = estimate_plate(frames)
        clips.append(Clip(path.stem, frames, plate, hand_held, fps))
    if not clips:
        raise ValueError(f"no clips in {folder} (expected {sorted(VIDEO_EXTENSIONS)})")
    return clips


def grey(x: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)


class RealSampler:
    """Random crops of real frames with their plate, prior S (image-plate difference) and motion cues M."""

    def __init__(self, clips: list[Clip], backgrounds: list[np.ndarray], size: int, motion_seconds: float, seed: int,
                 frames: dict[str, range] | None = None) -> None:
        """`motion_seconds`: the spacing of the motion cues (t±T, t±2T) in seconds, as at inference; `frames`: the
        frames each clip may be sampled from (the rest held out for evaluation), all by default."""
        self.clips, self.backgrounds, self.size, self.motion_seconds = clips, backgrounds, size, motion_seconds
        self.frames = frames or {c.name: range(len(c.frames)) for c in clips}
        self.rng = np.random.default_rng(seed)
        self.prior_maker = Synthesiser([], [], size=size, seed=seed)
        self._aligned: dict[tuple[str, int], np.ndarray] = {}

    def _plate_for(self, clip: Clip, t: int) -> np.ndarray:
        """Fixed camera: the clip's plate. Hand-held: the plate aligned to frame t (cached)."""
        if not clip.hand_held:
            return clip.plate
        key = (clip.name, t)
        if key not in self._aligned:
            self._aligned[key] = align_plate_to(clip.frames[t], clip.plate)
        return self._aligned[key]

    def _crop(self, shape: tuple[int, int]) -> tuple[int, int, int]:
        h, w = shape
        side = int(min(h, w) * self.rng.uniform(0.5, 1.0))
        return int(self.rng.integers(0, h - side + 1)), int(self.rng.integers(0, w - side + 1)), side

    def batch(self, n: int) -> dict[str, torch.Tensor]:
        out: dict[str, list[np.ndarray]] = {k: [] for k in ("image", "plate", "prior", "motion", "new_bg")}
        s = self.size
        for _ in range(n):
            clip = self.clips[int(self.rng.integers(0, len(self.clips)))]
            allowed = self.frames[clip.name]
            t = allowed[int(self.rng.integers(0, len(allowed)))]
            y, x, side = self._crop(clip.frames.shape[1:3])
            cut = lambda im: cv2.resize(np.ascontiguousarray(im[y:y + side, x:x + side]), (s, s), interpolation=cv2.INTER_AREA)
            image, plate = cut(clip.frames[t]), cut(self._plate_for(clip, t))
            last = len(clip.frames) - 1
            T = clip.motion_frames(self.motion_seconds)
            idx = [min(last, max(0, t + d * T)) for d in (-2, -1, 1, 2)]
            motion = np.stack([cut(grey(clip.frames[i])) for i in idx], 2)
            prior = self.prior_maker.difference_prior(image, plate, self.rng)
            bg = self.backgrounds[int(self.rng.integers(0, len(self.backgrounds)))]
            by, bx, bside = self._crop(bg.shape[:2])  # a new background, randomly shifted
            new_bg = cv2.resize(np.ascontiguousarray(bg[by:by + bside, bx:bx + bside]), (s, s), interpolation=cv2.INTER_AREA)
            for k, v in zip(out, (image, plate, prior[..., None], motion, new_bg)):
                out[k].append(v.transpose(2, 0, 1))
        return {k: torch.from_numpy(np.stack(v).astype(np.float32)) for k, v in out.items()}
