"""Every loss of training, each returning its terms by name so that all of them are logged: the supervised stage
(the paper's eq. 2), the refiner, and the self-supervised adaptation (teacher terms and LSGAN)."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .model.refiner import downsample

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


def refinement_loss(out: dict[str, torch.Tensor], batch: dict[str, torch.Tensor],
                    train_coarse: bool) -> dict[str, torch.Tensor]:
    """Named terms: refined_* (supervised loss at full size), error (MSE), coarse_* when the generator trains."""
    terms = {f"refined_{k}": v for k, v in supervised_loss(out["alpha"], out["fg"], batch).items() if k != "total"}
    ch, cw = out["alpha_coarse"].shape[-2:]
    small = {k: downsample(batch[k], ch, cw) for k in ("alpha", "fg", "bg", "image")}
    terms["error"] = F.mse_loss(out["error"], (out["alpha_coarse"] - small["alpha"]).abs().detach())
    if train_coarse:
        coarse = supervised_loss(out["alpha_coarse"], out["fg_coarse"], small)
        terms.update({f"coarse_{k}": v for k, v in coarse.items() if k != "total"})
    terms["total"] = sum(terms.values())
    return terms


def lsgan(scores: list[torch.Tensor], target: float) -> torch.Tensor:
    """Least-squares GAN loss over the discriminator's scales."""
    return sum(((s - target) ** 2).mean() for s in scores) / len(scores)


def adaptation_loss(alpha: torch.Tensor, fg: torch.Tensor, alpha_teacher: torch.Tensor, fg_teacher: torch.Tensor,
                    fake_scores: list[torch.Tensor], batch: dict[str, torch.Tensor],
                    teacher_weight: float) -> dict[str, torch.Tensor]:
    """The student's terms (the paper's eq. 4-5): fool D with its composites on new backgrounds (loss 1), and, all
    under the weight lambda that halves every 2 epochs (loss 2), follow the teacher and explain the real frame by
    compositing on its plate."""
    terms = {
        "adversarial": lsgan(fake_scores, 1.0),
        "teacher_alpha": teacher_weight * 2 * F.l1_loss(alpha, alpha_teacher),
        "teacher_grad": teacher_weight * 4 * F.l1_loss(sobel(alpha), sobel(alpha_teacher)),
        "teacher_fg": teacher_weight * F.l1_loss(fg, fg_teacher),
        "compose": teacher_weight * F.l1_loss(alpha * fg + (1 - alpha) * batch["plate"], batch["image"]),
    }
    terms["total"] = sum(terms.values())
    return terms


def discriminator_loss(real_scores: list[torch.Tensor], fake_scores: list[torch.Tensor]) -> torch.Tensor:
    return 0.5 * (lsgan(real_scores, 1.0) + lsgan(fake_scores, 0.0))
