"""The Background Matting generator (Sengupta et al. 2020, the original's `ResnetConditionHR`).

Tensor contract of `Generator.forward`: every input in [-1, 1], N x C x H x W with H, W multiples of 4;
returns (alpha_tanh in [-1, 1], fg_raw unbounded). `MattingGraph` wraps it with the product's contract
([0, 1] in, [0, 1] out) and is what training optimises and what is exported, so both see the same mapping.
"""
from __future__ import annotations

import torch
from torch import nn


def _conv_bn_relu(cin: int, cout: int, kernel: int, stride: int = 1, padding: int = 0, bias: bool = False) -> list[nn.Module]:
    return [nn.Conv2d(cin, cout, kernel, stride=stride, padding=padding, bias=bias), nn.BatchNorm2d(cout), nn.ReLU(True)]


class ResnetBlock(nn.Module):
    """ReflectionPad(1) -> Conv3x3 -> BN -> ReLU -> [Dropout] -> ReflectionPad(1) -> Conv3x3 -> BN, plus identity."""

    def __init__(self, channels: int, use_dropout: bool = False) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.ReflectionPad2d(1), *_conv_bn_relu(channels, channels, 3)]
        if use_dropout:
            layers.append(nn.Dropout(0.5))
        layers += [nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3, bias=False), nn.BatchNorm2d(channels)]
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


class Encoder(nn.Module):
    """One encoder per input: full-res 7x7 conv, then two stride-2 convs. Returns (1/2-res map, 1/4-res map)."""

    def __init__(self, in_channels: int, ngf: int) -> None:
        super().__init__()
        self.to_half = nn.Sequential(
            nn.ReflectionPad2d(3),
            *_conv_bn_relu(in_channels, ngf, 7),
            *_conv_bn_relu(ngf, 2 * ngf, 3, stride=2, padding=1),
        )
        self.to_quarter = nn.Sequential(*_conv_bn_relu(2 * ngf, 4 * ngf, 3, stride=2, padding=1))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        half = self.to_half(x)
        return half, self.to_quarter(half)


def _upsample_conv(cin: int, cout: int) -> list[nn.Module]:
    return [nn.Upsample(scale_factor=2, mode="bilinear", align_corners=True), *_conv_bn_relu(cin, cout, 3, padding=1, bias=True)]


class Generator(nn.Module):
    def __init__(self, ngf: int = 64, trunk_blocks: int = 7, head_blocks: int = 3, use_dropout: bool = False) -> None:
        super().__init__()
        self.ngf = ngf
        c4 = 4 * ngf
        self.enc_image = Encoder(3, ngf)
        self.enc_plate = Encoder(3, ngf)
        self.enc_prior = Encoder(1, ngf)
        self.enc_motion = Encoder(4, ngf)
        # Context Switching Block: each selector decides how much of one cue to trust, given the image.
        self.select_plate = nn.Sequential(*_conv_bn_relu(2 * c4, ngf, 1))
        self.select_prior = nn.Sequential(*_conv_bn_relu(2 * c4, ngf, 1))
        self.select_motion = nn.Sequential(*_conv_bn_relu(2 * c4, ngf, 1))
        self.combinator = nn.Sequential(*_conv_bn_relu(c4 + 3 * ngf, c4, 1))
        self.trunk = nn.Sequential(*[ResnetBlock(c4, use_dropout) for _ in range(trunk_blocks)])
        self.alpha_blocks = nn.Sequential(*[ResnetBlock(c4, use_dropout) for _ in range(head_blocks)])
        self.alpha_out = nn.Sequential(
            *_upsample_conv(c4, 2 * ngf),
            *_upsample_conv(2 * ngf, ngf),
            nn.ReflectionPad2d(3),
            nn.Conv2d(ngf, 1, 7),
            nn.Tanh(),
        )
        self.fg_blocks = nn.Sequential(*[ResnetBlock(c4, use_dropout) for _ in range(head_blocks)])
        self.fg_up1 = nn.Sequential(*_upsample_conv(c4, 2 * ngf))
        # Input to fg_up2 is cat(fg_up1 output, image skip at 1/2 res): 2ngf + 2ngf.
        self.fg_out = nn.Sequential(*_upsample_conv(c4, ngf), nn.ReflectionPad2d(3), nn.Conv2d(ngf, 3, 7))

    def forward(self, image: torch.Tensor, plate: torch.Tensor, prior: torch.Tensor, motion: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        alpha, fg, _ = self.forward_with_features(image, plate, prior, motion)
        return alpha, fg

    def forward_with_features(self, image: torch.Tensor, plate: torch.Tensor, prior: torch.Tensor,
                              motion: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Also returns the last decoder features of both heads (2*ngf channels, full size) for the refiner."""
        img_half, img_feat = self.enc_image(image)
        _, plate_feat = self.enc_plate(plate)
        _, prior_feat = self.enc_prior(prior)
        _, motion_feat = self.enc_motion(motion)
        selected = torch.cat(
            [
                self.select_plate(torch.cat([img_feat, plate_feat], 1)),
                self.select_prior(torch.cat([img_feat, prior_feat], 1)),
                # The original fed plate features here by mistake; the motion selector sees motion features.
                self.select_motion(torch.cat([img_feat, motion_feat], 1)),
            ],
            1,
        )
        trunk = self.trunk(self.combinator(torch.cat([img_feat, selected], 1)))
        # alpha_out = 2 x (upsample, conv, BN, ReLU) then (pad, 7x7 conv, tanh); fg_out = 1 x (...) then (pad, conv).
        alpha_feat = self.alpha_out[:8](self.alpha_blocks(trunk))
        fg_feat = self.fg_out[:4](torch.cat([self.fg_up1(self.fg_blocks(trunk)), img_half], 1))
        return self.alpha_out[8:](alpha_feat), self.fg_out[4:](fg_feat), torch.cat([alpha_feat, fg_feat], 1)


class MattingGraph(nn.Module):
    """The product contract around the generator: inputs in [0, 1], outputs `alpha` and `fg` in [0, 1]."""

    def __init__(self, generator: Generator) -> None:
        super().__init__()
        self.generator = generator

    def forward(self, image: torch.Tensor, plate: torch.Tensor, prior: torch.Tensor, motion: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        alpha, fg = self.generator(image * 2 - 1, plate * 2 - 1, prior * 2 - 1, motion * 2 - 1)
        return to_unit_range(alpha, fg)


def to_unit_range(alpha: torch.Tensor, fg_logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """alpha (a Tanh output) and F onto [0, 1]. Clamped: onnxruntime's Tanh can overshoot +-1 by an ulp, and the
    contract promises [0, 1] exactly (a thick-glass checkpoint gave alpha = -6e-8 without it)."""
    return ((alpha + 1) / 2).clamp(0, 1), ((torch.tanh(fg_logits) + 1) / 2).clamp(0, 1)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
