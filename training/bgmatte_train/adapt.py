"""Self-supervised adaptation to real, unlabeled video (the paper's second stage): teacher-student + multi-scale LSGAN.

A frozen teacher (the supervised model) gives pseudo-labels (F~, alpha~) on real frames; the student starts from
it and learns so that composites of its output on *new*, randomly shifted backgrounds fool a multi-scale
discriminator, while the teacher terms (weight halving every 2 epochs) keep alpha from collapsing to 1.

    python -m bgmatte_train.adapt --videos clips/ --teacher runs/bm-lite/best.pt --run-dir runs/adapt
"""
from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np
import torch
from tqdm import tqdm

from .data.real_video import RealSampler, load_clips
from .data.synth import load_backgrounds
from .checkpoints import load_graph
from .losses import adaptation_loss, discriminator_loss
from .model.discriminator import MultiscaleDiscriminator
from .model.generator import MattingGraph
from .paths import SHARED_DATA
from .loop import append_csv


def generator_losses(student: MattingGraph, teacher: MattingGraph, disc: MultiscaleDiscriminator,
                     batch: dict[str, torch.Tensor], teacher_weight: float):
    """The student's terms on a batch (losses.adaptation_loss), the fake composites for D, and both alphas."""
    inputs = (batch["image"], batch["plate"], batch["prior"], batch["motion"])
    with torch.no_grad():
        alpha_t, fg_t = teacher(*inputs)
    alpha, fg = student(*inputs)
    fake = alpha * fg + (1 - alpha) * batch["new_bg"]
    terms = adaptation_loss(alpha, fg, alpha_t, fg_t, disc(fake * 2 - 1), batch, teacher_weight)
    return terms, fake.detach(), (alpha_t, alpha)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--videos", type=Path, required=True, help="folder of clips (+ optional <clip>.plate.png)")
    p.add_argument("--teacher", type=Path, required=True, help="supervised checkpoint (runs/bm-lite/best.pt)")
    p.add_argument("--run-dir", type=Path, default=Path("runs/adapt"))
    p.add_argument("--backgrounds", type=Path, default=SHARED_DATA / "backgrounds")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--steps-per-epoch", type=int, default=200, help="the teacher weight halves every 2 epochs")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--motion-frames", type=int, default=7, help="T in frames (about 2/3 s)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dump-every", type=int, default=100)
    p.add_argument("--threads", type=int, default=2, help="CPU threads")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where the networks train")
    p.add_argument("--hand-held", action="store_true",
                   help="clips from a moving camera: align the plate (required as <clip>.plate.png) to every frame")
    args = p.parse_args(argv)
    torch.manual_seed(args.seed)
    torch.set_flush_denormal(True)
    torch.set_num_threads(args.threads)
    args.run_dir.mkdir(parents=True, exist_ok=True)

    # channels_last: measured several times faster for these convolutions on CPU (as in train.py).
    cl = torch.channels_last
    device = torch.device(args.device)
    teacher = load_graph(args.teacher).eval().requires_grad_(False).to(device, memory_format=cl)
    student = load_graph(args.teacher).train().to(device, memory_format=cl)
    disc = MultiscaleDiscriminator().to(device, memory_format=cl)
    opt_g = torch.optim.Adam(student.parameters(), lr=1e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=1e-5, betas=(0.5, 0.999))
    step = 0
    last = args.run_dir / "last.pt"
    if last.exists():
        state = torch.load(last, map_location="cpu")
        student.load_state_dict(state["student"])
        disc.load_state_dict(state["disc"])
        opt_g.load_state_dict(state["opt_g"])
        opt_d.load_state_dict(state["opt_d"])
        step = state["step"]
    sampler = RealSampler(load_clips(args.videos, max_side=2 * args.size, hand_held=args.hand_held), load_backgrounds(args.backgrounds, validation=False),
                          args.size, args.motion_frames, args.seed + step)
    teacher_config = torch.load(args.teacher, map_location="cpu")["config"]

    def save() -> None:
        tmp = last.with_suffix(".tmp")
        torch.save({"step": step, "student": student.state_dict(), "disc": disc.state_dict(), "opt_g": opt_g.state_dict(),
                    "opt_d": opt_d.state_dict(), "model": student.state_dict(), "config": teacher_config}, tmp)
        os.replace(tmp, last)

    log = args.run_dir / "adapt_log.csv"
    bar = tqdm(total=args.steps, initial=step, unit="step")
    t0 = time.time()
    try:
        while step < args.steps:
            batch = {k: v.to(device).contiguous(memory_format=cl) for k, v in sampler.batch(args.batch_size).items()}
            weight = 0.5 ** (step // (2 * args.steps_per_epoch))
            terms, fake, (alpha_t, alpha_s) = generator_losses(student, teacher, disc, batch, weight)
            opt_g.zero_grad(set_to_none=True)
            terms["total"].backward()
            opt_g.step()
            d_loss = None
            if step % 5 == 0:  # D once per 5 generator steps
                d_loss = discriminator_loss(disc(batch["image"] * 2 - 1), disc(fake * 2 - 1))
                opt_d.zero_grad(set_to_none=True)
                d_loss.backward()
                opt_d.step()
            step += 1
            bar.update(1)
            row = {"step": step, "seconds": round(time.time() - t0, 1), "teacher_weight": weight,
                   **{k: round(v.item(), 6) for k, v in terms.items()}, "disc": round(d_loss.item(), 6) if d_loss is not None else ""}
            append_csv(log, row)
            if step % args.dump_every == 0 or step == args.steps:
                save()
                sheet = torch.cat([batch["image"][0], alpha_t[0].expand(3, -1, -1), alpha_s[0].detach().expand(3, -1, -1)],
                                  2).cpu()
                cv2.imwrite(str(args.run_dir / f"dump_{step:06d}.png"),
                            cv2.cvtColor((sheet.permute(1, 2, 0).numpy() * 255).astype(np.uint8), cv2.COLOR_RGB2BGR))
    except KeyboardInterrupt:
        save()
        raise SystemExit(130)
    finally:
        bar.close()
    (args.run_dir / "done.json").write_text(json.dumps({"steps": step}))


if __name__ == "__main__":
    main()
