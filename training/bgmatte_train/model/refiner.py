"""Full-resolution refinement (after Background Matting V2, Lin et al. 2021), on top of the coarse generator.

The coarse generator runs at a reduced size. `CoarseHeads` adds what the refiner needs from it: an error map (where
the coarse matte is likely wrong) and a few hidden feature channels. `Refiner` then re-predicts alpha and F at full
resolution from the image, the plate, their difference and the upsampled coarse outputs.

The refiner uses only unpadded ("valid") 3x3 convolutions, so each output pixel sees exactly `Refiner.PAD` pixels of
context. Running it on a patch of P+2*PAD pixels therefore gives the same P x P output as running it densely on a
replicate-padded full image: training runs it densely, the product runs it only on the uncertain patches.

Tensor contract (models/contract.json, "refinement"): everything in [0, 1] except `hidden` (>= 0).
Upsampling of the coarse outputs is bilinear with half-pixel centres (PyTorch align_corners=False).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .generator import Generator, to_unit_range


class CoarseHeads(nn.Module):
    """Error map and hidden channels from the generator's last decoder features (2*ngf channels)."""

    def __init__(self, ngf: int, hidden: int) -> None:
        super().__init__()
        self.error = nn.Conv2d(2 * ngf, 1, 3, padding=1, padding_mode="replicate")
        self.hidden = nn.Sequential(nn.Conv2d(2 * ngf, hidden, 1), nn.ReLU())

    def forward(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.sigmoid(self.error(features)), self.hidden(features)


class CoarseGraph(nn.Module):
    """The coarse ONNX graph: the generator's contract ([0, 1] in; alpha, fg in [0, 1]) plus `error` and `hidden`."""

    def __init__(self, generator: Generator, heads: CoarseHeads) -> None:
        super().__init__()
        self.generator = generator
        self.heads = heads

    def forward(self, image: torch.Tensor, plate: torch.Tensor, prior: torch.Tensor,
                motion: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        alpha, fg, features = self.generator.forward_with_features(image * 2 - 1, plate * 2 - 1, prior * 2 - 1,
                                                                   motion * 2 - 1)
        error, hidden = self.heads(features)
        return (*to_unit_range(alpha, fg), error, hidden)


class Refiner(nn.Module):
    """Residual correction of alpha and F from full-resolution evidence; valid convolutions only (see module doc)."""

    PAD = 4  # four unpadded 3x3 convolutions

    def __init__(self, hidden: int, width: int = 24) -> None:
        super().__init__()
        cin = 3 + 3 + 3 + 1 + 3 + hidden  # image, plate, image - plate, alpha, fg, hidden
        self.body = nn.Sequential(
            nn.Conv2d(cin, width, 3), nn.ReLU(True),
            nn.Conv2d(width, 16, 3), nn.ReLU(True),
            nn.Conv2d(16, 16, 3), nn.ReLU(True),
            nn.Conv2d(16, 4, 3),
        )
        # Start as the identity: the refined output equals the upsampled coarse one until training says otherwise.
        nn.init.zeros_(self.body[-1].weight)
        nn.init.zeros_(self.body[-1].bias)

    def forward(self, image: torch.Tensor, plate: torch.Tensor, alpha: torch.Tensor, fg: torch.Tensor,
                hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs of size (P + 2*PAD)^2 -> refined alpha, fg of size P^2 (the centre)."""
        delta = self.body(torch.cat([image, plate, image - plate, alpha, fg, hidden], 1))
        p = self.PAD
        centre = lambda t: t[..., p:-p, p:-p]
        return (torch.clamp(centre(alpha) + delta[:, :1], 0, 1), torch.clamp(centre(fg) + delta[:, 1:], 0, 1))

    def dense(self, image: torch.Tensor, plate: torch.Tensor, alpha: torch.Tensor, fg: torch.Tensor,
              hidden: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Every pixel refined; same size out as in (borders replicate-padded, as the product's patch gather clamps)."""
        pad = lambda t: F.pad(t, (self.PAD,) * 4, mode="replicate")
        return self(pad(image), pad(plate), pad(alpha), pad(fg), pad(hidden))


def upsample(t: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Coarse -> full resolution, bilinear with half-pixel centres (the product's patch gather does the same)."""
    return F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False)


def downsample(t: torch.Tensor, height: int, width: int) -> torch.Tensor:
    """Full -> coarse resolution with antialiasing (the product's resize averages over the footprint)."""
    return F.interpolate(t, size=(height, width), mode="bilinear", align_corners=False, antialias=True)


class RefinedMatting(nn.Module):
    """Coarse graph at a reduced size + dense refiner at full size, for training and validation."""

    def __init__(self, coarse: CoarseGraph, refiner: Refiner) -> None:
        super().__init__()
        self.coarse = coarse
        self.refiner = refiner

    def forward(self, image: torch.Tensor, plate: torch.Tensor, prior: torch.Tensor, motion: torch.Tensor,
                coarse_size: tuple[int, int]) -> dict[str, torch.Tensor]:
        h, w = image.shape[-2:]
        ch, cw = coarse_size
        small = [downsample(t, ch, cw) for t in (image, plate, prior, motion)]
        alpha_c, fg_c, error, hidden = self.coarse(*small)
        alpha_up, fg_up, hidden_up = (upsample(t, h, w) for t in (alpha_c, fg_c, hidden))
        alpha, fg = self.refiner.dense(image, plate, alpha_up, fg_up, hidden_up)
        return {"alpha": alpha, "fg": fg, "alpha_coarse": alpha_c, "fg_coarse": fg_c, "error": error,
                "alpha_up": alpha_up}
