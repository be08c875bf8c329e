"""Losses of the supervised stage (the paper's eq. 2). Every term is returned by name so it can be logged."""
from __future__ import annotations

import torch
import torch.nn.functional as F

_SOBEL_X = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
_SOBEL = torch.stack([_SOBEL_X, _SOBEL_X.t()]).unsqueeze(1)  # 2 x 1 x 3 x 3


def sobel(x: torch.Tensor) -> torch.Tensor:
    """Horizontal and vertical Sobel derivatives of a N x 1 x H x W map (replicate-padded)."""
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), _SOBEL.to(x), padding=0)


def supervised_loss(alpha: torch.Tensor, fg: torch.Tensor, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """‖α−α*‖₁ + ‖∇α−∇α*‖₁ + 2‖F−F*‖₁ (where α*>0) + ‖I − αF − (1−α)B‖₁; all tensors in [0, 1]."""
    alpha_true, fg_true, bg, image = batch["alpha"], batch["fg"], batch["bg"], batch["image"]
    fg_mask = (alpha_true > 0).to(fg.dtype).expand_as(fg)
    terms = {
        "alpha_l1": F.l1_loss(alpha, alpha_true),
        "alpha_grad": F.l1_loss(sobel(alpha), sobel(alpha_true)),
        "fg_l1": 2 * (torch.abs(fg - fg_true) * fg_mask).sum() / fg_mask.sum().clamp(min=1),
        "compose": F.l1_loss(alpha * fg + (1 - alpha) * bg, image),
    }
    terms["total"] = sum(terms.values())
    return terms
