"""Adapt the shipped model to your own footage (the paper's second stage), in one command, to an ONNX pair.

Self-supervised, on real unlabeled clips: a frozen teacher (the shipped generator by default) gives pseudo-labels
(F~, alpha~); the student starts from it and learns so that composites of its output on *new*, randomly shifted
backgrounds fool a multi-scale LSGAN discriminator, while the teacher and compositing terms (weight lambda halving
every 2 epochs) keep alpha from collapsing to 1. At the end the student is exported with the shipped pair's
refiner, ready for `bgmatte video clip.mp4 --plate auto --model <out>`.

    python -m bgmatte_train.adapt --videos my-clips/ --out my-room.onnx [--hand-held] [--device cuda]

<videos> holds clips (.mp4 .mov .avi .mkv .webm .m4v), each with an optional <clip>.plate.png (estimated by
temporal median when absent; required with --hand-held). The last --holdout of every clip is never trained on:
the summary compares teacher and student there. Interrupted, it resumes from <run-dir>/last.pt.
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

from . import export
from .checkpoints import load_graph
from .data.real_video import Clip, RealSampler, load_clips
from .data.synth import load_backgrounds
from .loop import append_csv
from .losses import adaptation_loss, discriminator_loss
from .model.discriminator import MultiscaleDiscriminator
from .model.generator import MattingGraph
from .paths import SHARED_DATA, SHIPPED_CHECKPOINT, SHIPPED_MODEL


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


def split_frames(clips: list[Clip], holdout: float) -> tuple[dict[str, range], dict[str, range]]:
    """Each clip's first frames to train on and its last `holdout` share to evaluate on (a gap of nothing: motion
    cues of the first held-out frames may look back into training frames, as they would in any footage)."""
    train, held = {}, {}
    for c in clips:
        cut = max(1, min(len(c.frames) - 1, round(len(c.frames) * (1 - holdout))))
        train[c.name], held[c.name] = range(0, cut), range(cut, len(c.frames))
    return train, held


@torch.no_grad()
def heldout_metrics(models: dict[str, MattingGraph], batch: dict[str, torch.Tensor]) -> dict[str, dict[str, float]]:
    """Per model on held-out crops: how well alpha*F + (1-alpha)*plate explains the real frame (no ground truth is
    needed), how opaque the matte is, and how far the student moved from the teacher."""
    inputs = (batch["image"], batch["plate"], batch["prior"], batch["motion"])
    out = {name: m.eval()(*inputs) for name, m in models.items()}
    alpha_t = out["teacher"][0]
    metrics = {}
    for name, (alpha, fg) in out.items():
        compose = (alpha * fg + (1 - alpha) * batch["plate"] - batch["image"]).abs().mean()
        metrics[name] = {"compose_l1": round(float(compose), 5), "mean_alpha": round(float(alpha.mean()), 4),
                         "alpha_l1_to_teacher": round(float((alpha - alpha_t).abs().mean()), 5)}
    return metrics


def side_by_side(batch: dict[str, torch.Tensor], alphas: list[torch.Tensor], rows: int = 4) -> np.ndarray:
    """Rows of image | alpha of each model, as 8-bit BGR for cv2.imwrite."""
    lines = []
    for i in range(min(rows, batch["image"].shape[0])):
        lines.append(torch.cat([batch["image"][i]] + [a[i].expand(3, -1, -1) for a in alphas], 2))
    sheet = torch.cat(lines, 1).permute(1, 2, 0).clamp(0, 1).cpu().numpy()
    return cv2.cvtColor((sheet * 255).astype(np.uint8), cv2.COLOR_RGB2BGR)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--videos", type=Path, required=True, help="folder of clips (+ optional <clip>.plate.png)")
    p.add_argument("--out", type=Path, help="the adapted model (.onnx; its refiner goes beside it as "
                   "<name>-refiner.onnx); default <run-dir>/adapted.onnx")
    p.add_argument("--teacher", type=Path, default=SHIPPED_CHECKPOINT,
                   help=f"supervised checkpoint (default: the shipped generator, {SHIPPED_CHECKPOINT.name})")
    p.add_argument("--refinement-from", type=Path, default=SHIPPED_MODEL,
                   help="the shipped pair whose error/hidden heads and refiner the adapted model keeps")
    p.add_argument("--run-dir", type=Path, default=Path("runs/adapt"))
    p.add_argument("--backgrounds", type=Path, default=SHARED_DATA / "backgrounds")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--steps-per-epoch", type=int, default=200, help="lambda halves every 2 epochs")
    p.add_argument("--batch-size", type=int, default=4)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--motion-seconds", type=float, default=0.67,
                   help="spacing T of the motion cues t±T, t±2T in seconds, as at inference (default 0.67)")
    p.add_argument("--holdout", type=float, default=0.15, help="share of every clip's end kept out of training")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--dump-every", type=int, default=100, help="checkpoint and image dump every N steps")
    p.add_argument("--threads", type=int, default=2, help="CPU threads")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where the networks train")
    p.add_argument("--hand-held", action="store_true",
                   help="clips from a moving camera: align the plate (required as <clip>.plate.png) to every frame")
    args = p.parse_args(argv)
    out = args.out or args.run_dir / "adapted.onnx"
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
        print(f"resuming {last} at step {step}")
    clips = load_clips(args.videos, max_side=2 * args.size, hand_held=args.hand_held)
    train_frames, held_frames = split_frames(clips, args.holdout)
    backgrounds = load_backgrounds(args.backgrounds, validation=False)
    sampler = RealSampler(clips, backgrounds, args.size, args.motion_seconds, args.seed + step, train_frames)
    teacher_config = torch.load(args.teacher, map_location="cpu")["config"]

    def save() -> None:
        tmp = last.with_suffix(".tmp")
        torch.save({"step": step, "student": student.state_dict(), "disc": disc.state_dict(), "opt_g": opt_g.state_dict(),
                    "opt_d": opt_d.state_dict(), "model": student.state_dict(), "config": teacher_config,
                    "teacher": str(args.teacher)}, tmp)
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
                cv2.imwrite(str(args.run_dir / f"dump_{step:06d}.png"),
                            side_by_side({"image": batch["image"]}, [alpha_t, alpha_s.detach()], rows=1))
    except KeyboardInterrupt:
        save()
        raise SystemExit(130)
    finally:
        bar.close()

    # Held-out frames: teacher against student, in numbers and side by side.
    held = RealSampler(clips, backgrounds, args.size, args.motion_seconds, seed=12345, frames=held_frames).batch(16)
    held = {k: v.to(device) for k, v in held.items()}
    metrics = heldout_metrics({"teacher": teacher, "student": student}, held)
    with torch.no_grad():
        alphas = [m.eval()(held["image"], held["plate"], held["prior"], held["motion"])[0] for m in (teacher, student)]
    cv2.imwrite(str(args.run_dir / "heldout.png"), side_by_side(held, alphas))

    export.main(["--checkpoint", str(last), "--out", str(out), "--fp16", "--refinement-from", str(args.refinement_from)])
    summary = {"steps": step, "seconds": round(time.time() - t0, 1), "device": args.device, "teacher": str(args.teacher),
               "clips": {c.name: {"frames": len(c.frames), "fps": c.fps, "motion_frames": c.motion_frames(args.motion_seconds),
                                  "held_out": [held_frames[c.name].start, held_frames[c.name].stop]} for c in clips},
               "heldout": metrics, "model": str(out), "refiner": str(export.refiner_path(out)),
               "images": {"heldout": "heldout.png (image | teacher alpha | student alpha)", "dumps": "dump_*.png"}}
    (args.run_dir / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary["heldout"], indent=2))
    print(f"adapted model: {out} (+ {export.refiner_path(out).name}); try it with:\n"
          f"  npx bgmatte video <clip> --plate auto --model {out}")


if __name__ == "__main__":
    main()
