import sys
from pathlib import Path

import numpy as np
import pytest
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
torch.set_num_threads(2)

from bgmatte_train.data.synth import Synthesiser  # noqa: E402
from bgmatte_train.paths import SHARED_DATA  # noqa: E402


@pytest.fixture
def procedural_synth() -> Synthesiser:
    """Only what the project generates itself: fast, and needs no shared data."""
    return Synthesiser([], [], size=64, seed=7)


@pytest.fixture
def shared_data() -> Path:
    if not (SHARED_DATA / "alphamatting").is_dir():
        pytest.skip("../shared/data not present")
    return SHARED_DATA


def batch_of(synth: Synthesiser, n: int, start: int = 0) -> dict[str, torch.Tensor]:
    from bgmatte_train.data.synth import to_tensors

    samples = [to_tensors(synth.sample(start + i)) for i in range(n)]
    return {k: torch.from_numpy(np.stack([s[k] for s in samples])) for k in samples[0]}
