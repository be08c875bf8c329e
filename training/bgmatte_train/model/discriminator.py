"""pix2pixHD multi-scale discriminator (used by the adversarial stage): one PatchGAN per scale 1, 1/2, 1/4."""
from __future__ import annotations

import torch
from torch import nn


class PatchDiscriminator(nn.Module):
    """Conv(4, s2) -> LReLU, then Conv-BN-LReLU blocks; a 1-channel map of real/fake scores per patch."""

    def __init__(self, in_channels: int = 3, ndf: int = 64, n_layers: int = 3) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, stride=2, padding=2), nn.LeakyReLU(0.2, True)]
        channels = ndf
        for i in range(1, n_layers + 1):
            out = min(channels * 2, 512)
            stride = 2 if i < n_layers else 1
            layers += [nn.Conv2d(channels, out, 4, stride=stride, padding=2), nn.BatchNorm2d(out), nn.LeakyReLU(0.2, True)]
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, stride=1, padding=2))
        self.model = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x)


class MultiscaleDiscriminator(nn.Module):
    def __init__(self, in_channels: int = 3, ndf: int = 64, n_layers: int = 3, num_scales: int = 3) -> None:
        super().__init__()
        self.scales = nn.ModuleList([PatchDiscriminator(in_channels, ndf, n_layers) for _ in range(num_scales)])
        self.downsample = nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Scores for scale 1, 1/2, 1/4 (in that order)."""
        outputs = []
        for i, disc in enumerate(self.scales):
            if i > 0:
                x = self.downsample(x)
            outputs.append(disc(x))
        return outputs
