"""Torch views of the synthesiser: a map-style dataset and the fixed validation set."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from .data.synth import (VALIDATION_FOREGROUNDS, Synthesiser, load_alphamatting, load_backgrounds, to_tensors)


class SynthDataset(Dataset):
    """Index i is sample i of the synthesiser: the stream is deterministic and resumable at any step."""

    def __init__(self, synth: Synthesiser, length: int = 10**9) -> None:
        self.synth = synth
        self.length = length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {k: torch.from_numpy(v) for k, v in to_tensors(self.synth.sample(index)).items()}


def training_synthesiser(data_root: Path, size: int, seed: int, procedural_fraction: float, still_fraction: float,
                         foreground_dir: Path | None = None, background_dir: Path | None = None,
                         difference_prior_fraction: float = 0.5, **options: float) -> Synthesiser:
    """Training foregrounds: alphamatting minus the 4 held out (or the user's own folder), plus procedural ones.

    `options`: further Synthesiser settings (SYNTH_OPTIONS)."""
    if foreground_dir is not None:
        foregrounds = load_alphamatting(foreground_dir)
    else:
        foregrounds = [f for f in load_alphamatting(data_root / "alphamatting") if f.name not in VALIDATION_FOREGROUNDS]
    backgrounds = load_backgrounds(background_dir or data_root / "backgrounds", validation=False)
    return Synthesiser(foregrounds, backgrounds, size, seed, procedural_fraction, still_fraction,
                       difference_prior_fraction=difference_prior_fraction, **options)


# Optional settings of a config's "data" section that go straight to the Synthesiser (its defaults otherwise).
SYNTH_OPTIONS = ("difference_prior_fraction", "camouflage_fraction", "shot_noise", "glass_fraction",
                 "glass_optics", "skin_backdrop_fraction", "large_camouflage_fraction", "thin_fraction",
                 "trusted_prior_fraction", "trust_camouflage_prior", "small_subject_fraction")


def synthesiser_from_config(data_root: Path, data: dict, seed: int, foreground_dir: Path | None = None,
                            background_dir: Path | None = None) -> Synthesiser:
    """The training synthesiser a config's "data" section describes (train.py and train_refiner.py)."""
    return training_synthesiser(data_root, data["size"], seed, data["procedural_fraction"], data["still_fraction"],
                                foreground_dir, background_dir, **{k: data[k] for k in SYNTH_OPTIONS if k in data})


def validation_set(data_root: Path, size: int, count: int, seed: int = 20200614) -> dict[str, torch.Tensor]:
    """The fixed validation batch: held-out alphamatting foregrounds on held-out backgrounds, fixed seed."""
    foregrounds = load_alphamatting(data_root / "alphamatting", names=list(VALIDATION_FOREGROUNDS))
    backgrounds = load_backgrounds(data_root / "backgrounds", validation=True)
    synth = Synthesiser(foregrounds, backgrounds, size, seed, procedural_fraction=0.0, still_fraction=0.5)
    samples = [to_tensors(synth.sample(i)) for i in range(count)]
    return {k: torch.from_numpy(np.stack([s[k] for s in samples])) for k in samples[0]}
