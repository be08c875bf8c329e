"""The GPU recipe: one command that fine-tunes the shipped generator on one GPU within a time budget, every sample
composed on the GPU from the data bank (compose.py), then exports the ONNX pair (with the shipped pair's heads and
refiner) and its metrics. Resumable across machines from its own checkpoint.

    python -m bgmatte_train.gpu.bank --out ../gpu-bank                      # once, on a machine with ../shared/data
    python -m bgmatte_train.gpu.recipe --bank ../gpu-bank --out out/ --minutes 7 --device cuda

Writes to --out: bm-lite-gpu.pt (checkpoint: weights, optimiser, steps), bm-lite-gpu.onnx and
bm-lite-gpu-refiner.onnx, metrics.json (steps, samples, seconds, validation SAD/MSE before and after),
train_log.csv and curves.png. `--resume out/bm-lite-gpu.pt` continues a previous run.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from ..checkpoints import build_model
from ..export import main as export_main
from ..loop import append_csv, atomic_save
from ..losses import supervised_loss
from ..paths import SHIPPED_CHECKPOINT, SHIPPED_MODEL
from ..plots import plot_curves
from ..train import evaluate
from .compose import Bank, Mix, compose_batch


def load_bank(folder: Path, device: torch.device) -> tuple[Bank, dict[str, torch.Tensor], dict]:
    jpegs = np.load(folder / "backgrounds.npz")
    procedural = np.load(folder / "procedural.npz")
    backgrounds = [cv2.cvtColor(cv2.imdecode(jpegs[k], cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB) for k in sorted(jpegs)]
    arrays = {
        "foregrounds": np.load(folder / "foregrounds.npz")["rgba"],
        "backgrounds": np.stack(backgrounds),
        "procedural": procedural["alpha"],
        "procedural_is_person": procedural["kind"] == "person",
    }
    if (folder / "glass.npz").exists():
        arrays.update({f"glass_{k}": v for k, v in np.load(folder / "glass.npz").items()})
    val = {k: torch.from_numpy(v).float().div(255).to(device) for k, v in np.load(folder / "validation.npz").items()}
    return Bank(arrays, device), val, json.loads((folder / "bank.json").read_text())


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bank", type=Path, required=True, help="folder written by bgmatte_train.gpu.bank")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--init", type=Path, default=SHIPPED_CHECKPOINT,
                   help="generator checkpoint to start from (default: the shipped one)")
    p.add_argument("--resume", type=Path, help="a bm-lite-gpu.pt of an earlier run: continue it")
    p.add_argument("--refinement-from", default=str(SHIPPED_MODEL),
                   help="the shipped ONNX pair whose heads and refiner the export keeps ('' for none)")
    p.add_argument("--minutes", type=float, default=7.0, help="training time budget (export and metrics come after)")
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps too (0: time only)")
    p.add_argument("--save-every", type=float, default=2.0,
                   help="minutes between checkpoints, so that a run cut short keeps its progress for --resume")
    p.add_argument("--batch", type=int, default=48)
    p.add_argument("--size", type=int, default=320, help="side of the training crops (a multiple of 4)")
    p.add_argument("--lr", type=float, default=2e-4, help="peak learning rate (cosine decay over the budget)")
    p.add_argument("--glass-fraction", type=float, default=0.3,
                   help="share of samples with a clear glass object (docs/training.md: what 0.15 and 0.3 did to real glass)")
    p.add_argument("--parallax-fraction", type=float, default=0.0,
                   help="share of samples whose plate shows the scene shifted beside the subject (a hand-held plate's "
                        "parallax; compose.plate_parallax); not yet trained with, so off unless asked")
    p.add_argument("--device", default="cuda")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    device = torch.device(args.device)
    if device.type == "cuda":
        if device.index is None:  # plain "cuda": the current device, which set_device cannot take without an index
            device = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.set_device(device)
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(args.seed)
    bank, val, bank_info = load_bank(args.bank, device)

    # A resumed run starts from its own checkpoint, whatever --init defaults to: record that one.
    started_from = args.resume or args.init
    start = torch.load(started_from, map_location="cpu")
    config = start["config"]
    model = build_model(config).to(device, memory_format=torch.channels_last)
    model.load_state_dict(start["model"])
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    step = 0
    if args.resume:
        optimizer.load_state_dict(start["optimizer"])
        step = start["step"]
    before = evaluate(model, val)
    # Thick glass and water too (glass_optics), so that real glass jugs and mugs stay see-through where they are.
    mix = Mix(glass_fraction=args.glass_fraction, glass_optics=1.0, parallax_fraction=args.parallax_fraction)
    # What the checkpoint and metrics.json record of where the weights came from and what they were trained on.
    provenance = {"init": str(started_from), "mix": dataclasses.asdict(mix)}
    log = args.out / "train_log.csv"
    budget = args.minutes * 60
    amp = torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda")
    checkpoint = args.out / "bm-lite-gpu.pt"

    def save() -> None:
        weights = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
        atomic_save({"step": step, "model": weights, "optimizer": optimizer.state_dict(), "config": config,
                     "recipe": {**{k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
                                **provenance}}, checkpoint)

    t0 = time.time()
    saved = t0
    first = step
    while True:
        elapsed = time.time() - t0
        if elapsed >= budget or (args.max_steps and step - first >= args.max_steps):
            break
        lr = args.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, elapsed / budget)))
        for group in optimizer.param_groups:
            group["lr"] = lr
        with torch.no_grad():
            batch = compose_batch(bank, args.batch, args.size, mix)
        batch = {k: v.contiguous(memory_format=torch.channels_last) for k, v in batch.items()}
        with amp:
            alpha, fg = model(batch["image"], batch["plate"], batch["prior"], batch["motion"])
        terms = supervised_loss(alpha.float(), fg.float(), batch)
        optimizer.zero_grad(set_to_none=True)
        terms["total"].backward()
        optimizer.step()
        step += 1
        if step % 25 == 0 or step == first + 1:
            append_csv(log, {"step": step, "seconds": round(time.time() - t0, 1), "lr": lr,
                             **{k: round(float(v), 6) for k, v in terms.items()}})
        if time.time() - saved >= args.save_every * 60:
            save()
            saved = time.time()
    seconds = time.time() - t0
    after = evaluate(model, val)
    save()
    export = ["--checkpoint", str(checkpoint), "--out", str(args.out / "bm-lite-gpu.onnx"), "--fp16"]
    if args.refinement_from:
        export += ["--refinement-from", args.refinement_from]
    export_main(export)
    plot_curves(log, args.out / "no-validation.csv", args.out / "curves.png")
    metrics = {"steps": step, "steps_this_run": step - first, "samples_this_run": (step - first) * args.batch,
               "seconds": round(seconds, 1), "batch": args.batch, "size": args.size, "peak_lr": args.lr,
               "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
               "validation_before": before, "validation_after": after, "bank": bank_info,
               **provenance}
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2, default=str))
    print(json.dumps({k: metrics[k] for k in ("steps", "samples_this_run", "seconds")}, indent=2))
    print(f"validation SAD {before['sad']:.3f} -> {after['sad']:.3f}, MSE {before['mse']:.4f} -> {after['mse']:.4f}")


if __name__ == "__main__":
    main()
