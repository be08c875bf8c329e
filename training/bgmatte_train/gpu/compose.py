"""Training batches composed on the GPU from the data bank (bank.py): the CPU synthesiser's recipe (data/synth.py),
vectorised over the batch so that a 16-core host does not starve an H200.

Per sample: a foreground (a real one with its F, or a procedural alpha textured from a photo, a flat shaded colour
or skin) warped by a random affine, on a warped background photo; the cases the plate difference cannot decide
(skin on a backdrop of its colour, large camouflaged parts; their S from alpha); small blobs and lines of print in
the background's colour inside the subject; clear and thick glass, through which the background really shows
(refracted, blurred, dimmed); a shadow the plate does not have;
a perturbed plate (gain and bias, gamma, noise, a small shift, blur); camera noise; S from alpha or from the image-
plate difference (the product's threshold, morphology by max-pooling); M the still's grey image x4.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from ..data.hard_cases import SKIN_TONES
from .bank import FLOW_STEPS

GREY = (0.299, 0.587, 0.114)


@dataclass
class Mix:
    """Shares of the sample kinds (the CPU configs' names where they exist)."""
    procedural_fraction: float = 0.6
    skin_backdrop_fraction: float = 0.15
    large_camouflage_fraction: float = 0.2
    # The CPU synthesiser's small camouflage: blobs and lines of print inside the opaque subject in the background's
    # colour (a label's dark print in front of a dark cloth).
    camouflage_fraction: float = 0.2
    shadow_fraction: float = 0.3
    difference_prior_fraction: float = 0.5
    trusted_prior_fraction: float = 0.75
    # As the CPU synthesiser's option: whether camouflaged objects, not only people, may get a trusted S.
    trust_camouflage_prior: bool = True
    shot_noise: float = 6.0
    # Clear glass objects (the bank's), and how strongly thick glass and water blur and dim what is seen through.
    glass_fraction: float = 0.0
    glass_optics: float = 0.0
    # A hand-held plate's parallax: beside the subject the plate shows the scene shifted (plate_parallax).
    parallax_fraction: float = 0.0


class Bank:
    """The bank's images as uint8 tensors on the device."""

    def __init__(self, arrays: dict, device: torch.device) -> None:
        t = lambda a: torch.from_numpy(a).to(device)
        self.foregrounds = t(arrays["foregrounds"]).permute(0, 3, 1, 2).contiguous()  # N x 4 x S x S
        self.backgrounds = t(arrays["backgrounds"]).permute(0, 3, 1, 2).contiguous()  # M x 3 x S x S
        self.procedural = t(arrays["procedural"]).unsqueeze(1).contiguous()  # P x 1 x S x S
        # Which procedural alphas are people (skin on a backdrop is drawn on those).
        self.is_person = t(arrays["procedural_is_person"]).bool()
        # Glass objects (optional): F and alpha, refraction flow in pixels at the bank's size, the blurred mask.
        self.glass = t(arrays["glass_rgba"]).permute(0, 3, 1, 2).contiguous() if "glass_rgba" in arrays else None
        if self.glass is not None:
            self.glass_flow = t(arrays["glass_flow"]).permute(0, 3, 1, 2).contiguous()
            self.glass_inside = t(arrays["glass_inside"]).unsqueeze(1).contiguous()
        self.device = device


def _uniform(n: int, lo: float, hi: float, device, *shape: int) -> torch.Tensor:
    return torch.rand(n, *shape, device=device) * (hi - lo) + lo


def _affine_grid(n: int, size: int, device, zoom: tuple[float, float], shift: float, angle_deg: float,
                 flip: bool = True) -> torch.Tensor:
    """A random affine sampling grid per sample (zoom > 1 magnifies)."""
    theta = torch.zeros(n, 2, 3, device=device)
    scale = 1 / _uniform(n, *zoom, device)
    a = torch.deg2rad(torch.randn(n, device=device) * angle_deg)
    sx = scale * torch.where(torch.rand(n, device=device) < 0.5, -1.0, 1.0) if flip else scale
    theta[:, 0, 0], theta[:, 0, 1] = sx * torch.cos(a), -scale * torch.sin(a)
    theta[:, 1, 0], theta[:, 1, 1] = sx * torch.sin(a), scale * torch.cos(a)
    theta[:, :, 2] = (torch.rand(n, 2, device=device) * 2 - 1) * shift
    return F.affine_grid(theta, [n, 1, size, size], align_corners=False)


def _warp(x: torch.Tensor, grid: torch.Tensor, padding: str) -> torch.Tensor:
    return F.grid_sample(x, grid, mode="bilinear", padding_mode=padding, align_corners=False)


def _pick(bank: torch.Tensor, n: int) -> torch.Tensor:
    return bank[_indices(bank, n)].float() / 255


def _indices(bank: torch.Tensor, n: int) -> torch.Tensor:
    return torch.randint(len(bank), (n,), device=bank.device)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    radius = max(1, math.ceil(3 * sigma))
    k = torch.exp(-(torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype) ** 2) / (2 * sigma ** 2))
    k = (k / k.sum()).view(1, 1, 1, -1).repeat(x.shape[1], 1, 1, 1)
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), k, groups=x.shape[1])
    return F.conv2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), k.transpose(2, 3), groups=x.shape[1])


def dilate(mask: torch.Tensor, radius: int) -> torch.Tensor:
    """Grow a {0, 1} mask by about `radius` pixels, round like the product's elliptic kernels (a max-pool
    would grow squares): blur by radius / 2 and keep what the mask reaches at 2 %."""
    if radius <= 0:
        return mask
    return (gaussian_blur(mask, radius / 2) > 0.02).float()


def erode(mask: torch.Tensor, radius: int) -> torch.Tensor:
    return 1 - dilate(1 - mask, radius)


def _pixel_in(region: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """A random pixel of each sample's region (N x 1 x S x S), as (y, x) on [-1, 1]."""
    size = region.shape[-1]
    idx = torch.multinomial(region.flatten(1) + 1e-6, 1).squeeze(1)
    return (idx // size).float() / (size - 1) * 2 - 1, (idx % size).float() / (size - 1) * 2 - 1


def _ellipses(n: int, size: int, device, count: int, centre_in: torch.Tensor | None = None,
              radius: tuple[float, float] = (0.08, 0.4)) -> torch.Tensor:
    """Union of `count` random ellipses per sample (N x 1 x S x S in {0, 1}), radii a share of the half side;
    centres drawn inside `centre_in` where given."""
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size, device=device), torch.linspace(-1, 1, size, device=device),
                            indexing="ij")
    out = torch.zeros(n, 1, size, size, device=device)
    for _ in range(count):
        if centre_in is not None:
            cy, cx = _pixel_in(centre_in)
        else:
            cy, cx = _uniform(n, -0.6, 0.6, device), _uniform(n, -0.6, 0.6, device)
        ry, rx = _uniform(n, *radius, device), _uniform(n, *radius, device)
        a = _uniform(n, 0, math.pi, device)
        dx, dy = xx[None] - cx[:, None, None], yy[None] - cy[:, None, None]
        u = (dx * torch.cos(a)[:, None, None] + dy * torch.sin(a)[:, None, None]) / rx[:, None, None]
        v = (-dx * torch.sin(a)[:, None, None] + dy * torch.cos(a)[:, None, None]) / ry[:, None, None]
        out = torch.maximum(out, ((u ** 2 + v ** 2) <= 1).float().unsqueeze(1))
    return out


def print_marks(interior: torch.Tensor, marks: int = 3) -> torch.Tensor:
    """Small marks inside each sample's interior (N x 1 x S x S in {0, 1}), as data/synth.py's camouflage draws them:
    blobs of 2-14 px radius and lines of print (2-7 upright strokes 1-3 px wide, 3-12 px high), at 256-px scale; none
    where they would cover more than 15 % of the interior (large see-through regions must still read as such)."""
    n, size, dev = interior.shape[0], interior.shape[-1], interior.device
    px = 2 / (size - 1)  # one pixel on [-1, 1]
    sc = size / 256
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size, device=dev), torch.linspace(-1, 1, size, device=dev),
                            indexing="ij")
    out = torch.zeros(n, 1, size, size, device=dev)
    for _ in range(marks):
        blob = _ellipses(n, size, dev, 1, centre_in=interior, radius=(2 * sc * px, 14 * sc * px))
        cy, cx = _pixel_in(interior)
        height = _uniform(n, 3, 12, dev) * sc * px
        pitch = height * _uniform(n, 0.6, 1.0, dev)
        width = torch.minimum(_uniform(n, 1, 3, dev) * sc * px, 0.7 * pitch)
        length = torch.randint(2, 8, (n,), device=dev).float() * pitch
        dx, dy = xx[None] - cx[:, None, None], yy[None] - cy[:, None, None]
        line = ((dy.abs() <= height[:, None, None] / 2) & (dx >= 0) & (dx < length[:, None, None])
                & (torch.remainder(dx, pitch[:, None, None]) < width[:, None, None])).float().unsqueeze(1)
        out = torch.maximum(out, torch.where(torch.rand(n, 1, 1, 1, device=dev) < 0.5, blob, line))
    out = out * interior
    small = out.flatten(1).sum(1) <= 0.15 * interior.flatten(1).sum(1).clamp(min=1)
    return out * small.view(n, 1, 1, 1)


def _shaded(colour: torch.Tensor, size: int, grain: float) -> torch.Tensor:
    """N x 3 colours -> N x 3 x S x S surfaces with a lighting gradient, soft blotches and grain."""
    n, device = colour.shape[0], colour.device
    ramp = torch.linspace(-0.5, 0.5, size, device=device)
    light = 1 + _uniform(n, -0.15, 0.15, device)[:, None, None] * ramp[None, None, :] \
        + _uniform(n, -0.15, 0.15, device)[:, None, None] * ramp[None, :, None]
    blotch = gaussian_blur(torch.rand(n, 1, size // 8, size // 8, device=device) * 2 - 1, 1.5)
    light = light.unsqueeze(1) + 0.05 * F.interpolate(blotch, size=size, mode="bilinear", align_corners=False)
    light = light + grain * torch.randn(n, 1, size, size, device=device)
    return (colour[:, :, None, None] * light).clamp(0, 1)


def _skin_tones(n: int, device) -> torch.Tensor:
    tones = torch.tensor(SKIN_TONES, device=device)
    i = torch.rand(n, device=device) * (len(tones) - 1)
    lo = i.floor().long()
    hi = (lo + 1).clamp(max=len(tones) - 1)
    return tones[lo] + (tones[hi] - tones[lo]) * (i - lo.float())[:, None]


def difference_prior(image: torch.Tensor, plate: torch.Tensor, size: int) -> torch.Tensor:
    """The product's rough mask (data/plate_difference.py) without the component filter: blurred max-channel
    distance over median + 5 robust sigmas within [0.06, 0.2], then an opening and a closing."""
    dist = (gaussian_blur(image, 1.0) - gaussian_blur(plate, 1.0)).abs().amax(1, keepdim=True)
    flat = dist.flatten(1)
    med = flat.median(1).values
    mad = (flat - med[:, None]).abs().median(1).values
    thr = (med + 5 * 1.4826 * mad).clamp(0.06, 0.2)
    raw = (dist > thr[:, None, None, None]).float()
    r = max(1, round(size / 256))
    return erode(dilate(dilate(erode(raw, r), r), r), r)


def soften(mask: torch.Tensor, size: int) -> torch.Tensor:
    """The paper's S from a hard mask, at 512-px scale: erode 10-19, dilate 15-29 (as one radius each: the
    iterations of 3x3 and 5x5 kernels), a few holes, blur 21-41."""
    sc = size / 512
    out = erode(mask, max(1, round(torch.randint(10, 20, (1,)).item() * sc)))
    out = dilate(out, max(1, round(2 * torch.randint(15, 30, (1,)).item() * sc)))
    n = mask.shape[0]
    holes = _ellipses(n, size, mask.device, 1, centre_in=out, radius=(15 / 512, 45 / 512))
    out = out * (1 - holes * (torch.rand(n, 1, 1, 1, device=mask.device) < 0.5))
    return gaussian_blur(out, max(1.0, (int(torch.randint(21, 42, (1,)).item()) * sc) / 6))


def compose_batch(bank: Bank, n: int, size: int, mix: Mix) -> dict[str, torch.Tensor]:
    """A training batch: image, plate, prior, motion, alpha, fg, bg (N x C x size x size in [0, 1])."""
    dev = bank.device
    is_proc = torch.rand(n, 1, 1, 1, device=dev) < mix.procedural_fraction
    # Foregrounds: real (RGBA) or procedural alpha with a texture; both warped by a random affine.
    real = _pick(bank.foregrounds, n)
    which = _indices(bank.procedural, n)
    proc_alpha = bank.procedural[which].float() / 255
    person = is_proc & bank.is_person[which].view(n, 1, 1, 1)
    texture = _warp(_pick(bank.backgrounds, n), _affine_grid(n, bank.backgrounds.shape[-1], dev, (1, 2), 0.5, 10),
                    "reflection")
    flat = _shaded(torch.rand(n, 3, device=dev), texture.shape[-1], 0.01)
    texture = torch.where(torch.rand(n, 1, 1, 1, device=dev) < 0.4, flat, texture)
    rgba = torch.where(is_proc, torch.cat([texture, proc_alpha], 1), real)
    rgba = _warp(rgba, _affine_grid(n, size, dev, (0.9, 1.6), 0.25, 6), "zeros")
    fg, alpha = rgba[:, :3], rgba[:, 3:].clamp(0, 1)
    jitter = torch.rand(n, 1, 1, 1, device=dev) < 0.5
    fg = torch.where(jitter, (fg * _uniform(n, 0.85, 1.15, dev, 3, 1, 1) + _uniform(n, -0.05, 0.05, dev, 3, 1, 1))
                     .clamp(0, 1), fg)
    bg = _warp(_pick(bank.backgrounds, n), _affine_grid(n, size, dev, (1, 2), 0.4, 3), "reflection")

    # Skin on a backdrop of its colour: skin F (clothes below a line), a backdrop near the skin's colour whose
    # lower part may be the photo (a townscape under the sky).
    person_share = mix.procedural_fraction * float(bank.is_person.float().mean())
    skin = person & (torch.rand(n, 1, 1, 1, device=dev) < mix.skin_backdrop_fraction / max(person_share, 1e-6))
    tone = _skin_tones(n, dev)
    skin_fg = _shaded(tone, size, 0.01)
    rows = torch.arange(size, device=dev).view(1, 1, size, 1).float()
    line = _uniform(n, 0.35, 0.75, dev, 1, 1, 1) * size
    clothes = _shaded(torch.rand(n, 3, device=dev) * 0.85 + 0.05, size, 0.02)
    skin_fg = torch.where(rows > line, clothes, skin_fg)
    backdrop = _shaded((tone + torch.randn(n, 3, device=dev) * _uniform(n, 0.005, 0.06, dev, 1)).clamp(0, 1), size,
                       0.004)
    horizon = _uniform(n, 0.5, 1.2, dev, 1, 1, 1) * size
    ramp = ((rows - horizon) / (0.02 * size)).clamp(0, 1)
    backdrop = backdrop * (1 - ramp) + bg * ramp
    fg = torch.where(skin, skin_fg, fg)
    bg = torch.where(skin, backdrop, bg)

    # Large camouflage: ellipses inside the solid interior take the background's colour (blurred: its colour, not
    # its texture) with the subject's own shading.
    interior = erode((alpha > 0.97).float(), max(1, round(3 * size / 256)))
    glass = (torch.rand(n, 1, 1, 1, device=dev) < mix.glass_fraction) & ~skin if bank.glass is not None else None
    camo = (torch.rand(n, 1, 1, 1, device=dev) < mix.large_camouflage_fraction) & (interior.flatten(1).sum(1) > 50).view(n, 1, 1, 1)
    if glass is not None:
        camo = camo & ~glass
    region = _ellipses(n, size, dev, 2, centre_in=interior) * interior
    weight = gaussian_blur(region, max(0.7, 2 * size / 256)) * camo
    grey = (fg * torch.tensor(GREY, device=dev).view(1, 3, 1, 1)).sum(1, keepdim=True)
    relative = (grey / gaussian_blur(grey, max(1.0, 12 * size / 256)).clamp(min=1e-3)).clamp(0.8, 1.2)
    painted = (gaussian_blur(bg, max(1.0, 16 * size / 256)) * relative).clamp(0, 1)
    fg = fg * (1 - weight) + painted * weight

    # Small camouflage: blobs and print in the colour of the background right behind them (a little off).
    small_camo = torch.rand(n, 1, 1, 1, device=dev) < mix.camouflage_fraction
    if glass is not None:
        small_camo = small_camo & ~glass
    deep = erode((alpha > 0.97).float(), max(2, round(6 * size / 256)))
    weight = gaussian_blur(print_marks(deep), 0.7) * small_camo
    like_bg = (bg * _uniform(n, 0.9, 1.1, dev, 3, 1, 1) + _uniform(n, -0.03, 0.03, dev, 3, 1, 1)).clamp(0, 1)
    fg = fg * (1 - weight) + like_bg * weight

    # The shot: a shadow the plate does not have, a little light change, the composite, camera noise.
    shot_bg = bg
    shadow = (torch.rand(n, 1, 1, 1, device=dev) < mix.shadow_fraction).float()
    cast = gaussian_blur(_warp(alpha, _affine_grid(n, size, dev, (0.8, 1.1), 0.2, 15, flip=False), "zeros"),
                         max(1.0, 6 * size / 256))
    shot_bg = shot_bg * (1 - shadow * _uniform(n, 0.2, 0.6, dev, 1, 1, 1) * cast)
    shot_bg = (shot_bg * torch.where(torch.rand(n, 1, 1, 1, device=dev) < 0.2, _uniform(n, 0.95, 1.05, dev, 1, 1, 1),
                                     torch.ones(n, 1, 1, 1, device=dev))).clamp(0, 1)
    if glass is not None:
        alpha, fg, shot_bg = _with_glass(bank, glass, alpha, fg, shot_bg, size, mix.glass_optics)
    image = alpha * fg + (1 - alpha) * shot_bg
    image = (image + torch.randn_like(image) * _uniform(n, 0, mix.shot_noise / 255, dev, 1, 1, 1)).clamp(0, 1)

    plate = perturb_plate(bg, size)
    if mix.parallax_fraction > 0:
        plate = plate_parallax(plate, alpha, size, torch.rand(n, 1, 1, 1, device=dev) < mix.parallax_fraction)
    trusted_kind = skin | camo if mix.trust_camouflage_prior else skin
    trusted = trusted_kind & (torch.rand(n, 1, 1, 1, device=dev) < mix.trusted_prior_fraction)
    from_difference = (torch.rand(n, 1, 1, 1, device=dev) < mix.difference_prior_fraction) & ~trusted
    hard = torch.where(from_difference, difference_prior(image, plate, size), (alpha > 0.5).float())
    prior = soften(hard, size)
    motion = (image * torch.tensor(GREY, device=dev).view(1, 3, 1, 1)).sum(1, keepdim=True).repeat(1, 4, 1, 1)
    return {"image": image, "plate": plate, "prior": prior, "motion": motion, "alpha": alpha, "fg": fg,
            "bg": shot_bg}


def _with_glass(bank: Bank, chosen: torch.Tensor, alpha: torch.Tensor, fg: torch.Tensor, shot_bg: torch.Tensor,
                size: int, optics: float) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Where `chosen`: a glass object of the bank instead of the subject, and the background as seen through it
    (refracted; with `optics`, blurred and dimmed inside as thick glass and water do, the dimming in the matte as
    data/synth.py's _thick_glass explains). I = alpha F + (1 - alpha) seen holds exactly; the plate is unrefracted."""
    n, dev = alpha.shape[0], alpha.device
    which = _indices(bank.glass, n)
    scale = lambda x, mode: F.interpolate(x, size=(size, size), mode=mode, align_corners=False) if x.shape[-1] != size else x
    rgba = scale(bank.glass[which].float() / 255, "bilinear")
    flow = scale(bank.glass_flow[which].float() / FLOW_STEPS * (size / bank.glass.shape[-1]), "bilinear")
    inside = scale(bank.glass_inside[which].float() / 255, "bilinear")
    g_fg, g_alpha = rgba[:, :3], rgba[:, 3:]
    ys, xs = torch.meshgrid(torch.arange(size, device=dev), torch.arange(size, device=dev), indexing="ij")
    # grid_sample's coordinates: -1..1 across the image (align_corners=False: pixel centres at (2i + 1) / size - 1).
    gx = (2 * (xs + flow[:, 0]) + 1) / size - 1
    gy = (2 * (ys + flow[:, 1]) + 1) / size - 1
    seen = F.grid_sample(shot_bg, torch.stack([gx, gy], -1), mode="bilinear", padding_mode="reflection",
                         align_corners=False)
    if optics > 0:  # one blur strength per batch (a per-sample sigma would need a kernel per sample)
        sigma = float(_uniform(1, 0.3, 2.5, dev).item()) * optics * size / 256
        if sigma > 0.2:
            seen = seen + (gaussian_blur(seen, sigma) - seen) * inside
        t = 1 - inside * optics * _uniform(n, 0, 0.25, dev, 1, 1, 1)
        a_eff = 1 - (1 - g_alpha) * t
        g_fg = g_fg * g_alpha / a_eff.clamp(min=1e-4)
        g_alpha = a_eff
    return (torch.where(chosen, g_alpha.clamp(0, 1), alpha), torch.where(chosen, g_fg.clamp(0, 1), fg),
            torch.where(chosen, seen.clamp(0, 1), shot_bg))


def plate_parallax(plate: torch.Tensor, alpha: torch.Tensor, size: int, chosen: torch.Tensor) -> torch.Tensor:
    """Where `chosen`, a patch of the plate beside the subject shows the scene shifted by 2–6 % of the side: a
    hand-held plate aligned on the far scene, whose nearer parts moved (railings and walls beside a neck). The shot is
    unchanged and α is 0 there: the network learns that a difference that is the scene, shifted, is not subject."""
    n, dev = plate.shape[0], plate.device
    outline = (alpha > 0.5).float()
    ring = dilate(outline, max(2, round(16 * size / 256))) * (1 - outline)
    patch = _ellipses(n, size, dev, 1, centre_in=ring, radius=(0.08, 0.3))
    weight = gaussian_blur(patch, max(0.7, 1.5 * size / 256)) * chosen.float()
    # 2–6 % of the side along each axis (0.04–0.12 of the grid's [-1, 1]): a smaller shift is the plate's own.
    sign = torch.where(torch.rand(n, 1, 1, 2, device=dev) < 0.5, -1.0, 1.0)
    grid = _affine_grid(n, size, dev, (0.98, 1.02), 0, 1, flip=False) + sign * _uniform(n, 0.04, 0.12, dev, 1, 1, 2)
    return plate * (1 - weight) + _warp(plate, grid, "reflection") * weight


def perturb_plate(bg: torch.Tensor, size: int) -> torch.Tensor:
    """The plate the network sees: noise or a tone curve, colour gain and bias, a small shift, sometimes blur."""
    n, dev = bg.shape[0], bg.device
    noisy = bg + (_uniform(n, -7, 6, dev, 1, 1, 1) + torch.randn_like(bg) * _uniform(n, 2, 5, dev, 1, 1, 1)) / 255
    toned = bg.clamp(min=1e-4) ** (1 + 0.12 * torch.randn(n, 1, 1, 1, device=dev)).clamp(min=0.5)
    plate = torch.where(torch.rand(n, 1, 1, 1, device=dev) < 0.4, noisy, toned)
    colour = torch.rand(n, 1, 1, 1, device=dev) < 0.8
    plate = torch.where(colour, plate * _uniform(n, 0.93, 1.07, dev, 3, 1, 1) + _uniform(n, -0.03, 0.03, dev, 3, 1, 1),
                        plate)
    shifted = _warp(plate, _affine_grid(n, size, dev, (0.99, 1.01), 0.02, 1, flip=False), "reflection")
    plate = torch.where(torch.rand(n, 1, 1, 1, device=dev) < 0.3, shifted, plate)
    blurred = gaussian_blur(plate, 1.0)
    plate = torch.where(torch.rand(n, 1, 1, 1, device=dev) < 0.15, blurred, plate)
    return plate.clamp(0, 1)
