"""Supervised training of the Background Matting generator on synthetic composites.

    python -m bgmatte_train.train --config configs/bm-lite.json            # train (resumes from runs/<name>/last.pt)
    torchrun --nproc_per_node 4 -m bgmatte_train.train --config configs/paper.json --device cuda

Checkpoints are written atomically every `checkpoint_every` steps; rerunning the same command resumes. With
`keep_every` in the config's train section, a copy `step<N>.pt` is kept every that many steps (for average.py).
"""
from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader

from .dataset import SynthDataset, synthesiser_from_config, validation_set
from .checkpoints import build_model
from .loop import Hooks, IndexRange, Schedule, atomic_save, run_loop
from .losses import supervised_loss
from .model.generator import MattingGraph, count_parameters
from .paths import SHARED_DATA


def load_config(path: Path) -> dict:
    with open(path) as f:
        return json.load(f)


@torch.no_grad()
def evaluate(model: MattingGraph, val: dict[str, torch.Tensor], batch_size: int = 8) -> dict[str, float]:
    """Mean loss terms, and SAD / MSE (whole image; SAD per image / 1000, MSE per pixel)."""
    model.eval()
    sums: dict[str, float] = {}
    n = val["image"].shape[0]
    for i in range(0, n, batch_size):
        batch = {k: v[i:i + batch_size] for k, v in val.items()}
        alpha, fg = model(batch["image"], batch["plate"], batch["prior"], batch["motion"])
        terms = {k: float(v) * len(batch["image"]) for k, v in supervised_loss(alpha, fg, batch).items()}
        err = (alpha - batch["alpha"]).flatten(1)
        terms["sad"] = float(err.abs().sum(1).sum()) / 1000
        terms["mse"] = float((err ** 2).mean(1).sum())
        for k, v in terms.items():
            sums[k] = sums.get(k, 0.0) + v
    model.train()
    return {k: v / n for k, v in sums.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, required=True, help="JSON config (configs/bm-lite.json, configs/paper.json)")
    p.add_argument("--run-dir", type=Path, help="where checkpoints and logs go (default: runs/<config name>)")
    p.add_argument("--data", type=Path, default=SHARED_DATA, help="shared data root (alphamatting/, backgrounds/)")
    p.add_argument("--foregrounds", type=Path, help="your own foregrounds: a folder with image/ and alpha/ (same file names)")
    p.add_argument("--backgrounds", type=Path, help="your own background photos folder")
    p.add_argument("--init", type=Path, help="start from this checkpoint's weights (fine-tuning)")
    p.add_argument("--steps", type=int, help="total steps (overrides the config)")
    p.add_argument("--lr", type=float, help="learning rate (overrides the config, also on resume)")
    p.add_argument("--device", default="cpu", help="cpu or cuda")
    p.add_argument("--workers", type=int, default=1, help="data loader processes")
    args = p.parse_args(argv)

    config = load_config(args.config)
    tc, dc = config["train"], config["data"]
    steps = args.steps or tc["steps"]
    lr = args.lr or tc["lr"]
    run_dir = args.run_dir or Path("runs") / config["name"]

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("nccl" if args.device == "cuda" else "gloo")
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if args.device == "cuda" else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)  # each rank on its own GPU (NCCL's collectives use the current device)
    torch.manual_seed(tc["seed"])
    if device.type == "cpu":
        # Measured on these machines: denormals and NCHW layout make CPU convolutions several times slower.
        torch.set_flush_denormal(True)
        torch.set_num_threads(tc.get("threads", 2))
    memory_format = torch.channels_last

    model = build_model(config).to(device, memory_format=memory_format)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    start_step = 0
    last = run_dir / "last.pt"
    if last.exists():
        state = torch.load(last, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_step = state["step"]
        for group in optimizer.param_groups:
            group["lr"] = lr
    elif args.init:
        model.load_state_dict(torch.load(args.init, map_location=device)["model"])
    best = float("inf")
    if (run_dir / "best.pt").exists():
        best = torch.load(run_dir / "best.pt", map_location="cpu").get("val_total", best)
    # On CUDA each rank's replica lives on its own GPU (device_ids); on CPU (gloo) DDP takes none.
    net = (DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
           if world > 1 else model)

    synth = synthesiser_from_config(args.data, dc, tc["seed"], args.foregrounds, args.backgrounds)
    loader = DataLoader(SynthDataset(synth), batch_size=tc["batch_size"], num_workers=args.workers,
                        sampler=IndexRange(start_step, steps, tc["batch_size"], rank, world),
                        persistent_workers=False, prefetch_factor=2 if args.workers else None)
    is_main = rank == 0
    val = None
    if is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        with open(run_dir / "config.json", "w") as f:
            json.dump({**config, "parameters": count_parameters(model.generator)}, f, indent=2)
        val = {k: v.to(device) for k, v in validation_set(args.data, dc["size"], tc["validation_samples"]).items()}

    def train_step(batch: dict[str, torch.Tensor], step: int) -> tuple[dict[str, torch.Tensor], dict]:
        batch = {k: v.to(device, memory_format=memory_format) for k, v in batch.items()}
        alpha, fg = net(batch["image"], batch["plate"], batch["prior"], batch["motion"])
        terms = supervised_loss(alpha, fg, batch)
        optimizer.zero_grad(set_to_none=True)
        terms["total"].backward()
        optimizer.step()
        return terms, {}

    def save(step: int, path: Path, best_total: float) -> None:
        atomic_save({"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "config": config, "val_total": best_total}, path)

    hooks = Hooks(step=train_step, validate=lambda step: evaluate(model, val), save=save, best_metric="total")
    try:
        run_loop(loader, run_dir, Schedule.from_config(tc, steps), start_step, lr, hooks, best, is_main)
        if world > 1:
            check_replicas_agree(model, run_dir, is_main)
            dist.barrier()  # leave together: a rank that exits while its peer still talks can abort the peer
    finally:
        if world > 1:
            dist.destroy_process_group()


def check_replicas_agree(model: torch.nn.Module, run_dir: Path, is_main: bool) -> None:
    """DDP keeps every rank's weights identical (the same start, averaged gradients): measure it at the end and
    record it in ddp.json, so a broken launch (ranks training alone) is seen, not shipped."""
    flat = torch.cat([p.detach().float().flatten() for p in model.parameters()])
    high, low = flat.clone(), flat.clone()
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    spread = float((high - low).abs().max())
    if is_main:
        report = {"world": dist.get_world_size(), "backend": dist.get_backend(), "max_parameter_spread": spread}
        (run_dir / "ddp.json").write_text(json.dumps(report))
        if spread > 1e-6:
            print(f"warning: the ranks' weights differ by up to {spread:.3g}: DDP did not synchronise them")


if __name__ == "__main__":
    main()
