"""Unlabeled real video for the self-supervised stage: frames, their plates, motion cues and priors.

Folder layout (documented in the README):
    <videos>/<name>.<mp4|avi|mov|...>     a clip from a fixed (or hand-held) camera
    <videos>/<name>.plate.png             its clean plate (optional: estimated by temporal median when absent)
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

VIDEO_EXTENSIONS = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v"}


def read_frames(path: Path, max_side: int) -> np.ndarray:
    """All frames (N x H x W x 3 float32 RGB in [0,1]), downscaled so the longer side is at most `max_side`."""
    cap = cv2.VideoCapture(str(path))
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
    return np.stack(frames).astype(np.float32) / 255


def estimate_plate(frames: np.ndarray, samples: int = 40) -> np.ndarray:
    """Temporal median over frames sampled across the clip (the subject moves, the background stays)."""
    idx = np.linspace(0, len(frames) - 1, min(samples, len(frames))).round().astype(int)
    return np.median(frames[idx], axis=0).astype(np.float32)


@dataclass
class Clip:
    name: str
    frames: np.ndarray
    plate: np.ndarray


def load_clips(folder: Path, max_side: int = 512) -> list[Clip]:
    clips = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_EXTENSIONS):
        frames = read_frames(path, max_side)
        plate_path = path.with_suffix(".plate.png")
        if plate_path.exists():
            plate = cv2.cvtColor(cv2.imread(str(plate_path)), cv2.COLOR_BGR2RGB).astype(np.float32) / 255
            plate = cv2.resize(plate, (frames.shape[2], frames.shape[1]), interpolation=cv2.INTER_AREA)
        else:
            plate = estimate_plate(frames)
        clips.append(Clip(path.stem, frames, plate))
    if not clips:
        raise ValueError(f"no clips in {folder} (expected {sorted(VIDEO_EXTENSIONS)})")
    return clips


def grey(x: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(x, cv2.COLOR_RGB2GRAY)
