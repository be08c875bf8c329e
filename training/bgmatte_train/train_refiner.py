"""Training of the full-resolution refiner (and the coarse error/hidden heads) on synthetic composites.

    python -m bgmatte_train.train_refiner --config configs/bm-refine.json --coarse checkpoints/bm-lite.pt

Each step synthesises full-size crops, runs the coarse generator at a random reduced size (factor 2 to 5, as the
product does), and trains: the refined alpha/F with the supervised loss of the coarse stage (losses.py), and the error
head with the squared error against |coarse alpha - true alpha| at the coarse size (BGMv2). With
`"train_coarse": true` the generator is trained too (end to end, its own loss at the coarse size added); by default it
is frozen so the shipped coarse matte stays exactly the validated one. Rerunning the same command resumes.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import torch
from torch.utils.data import DataLoader

from .dataset import SynthDataset, synthesiser_from_config, validation_set
from .losses import refinement_loss
from .model.generator import count_parameters
from .model.refiner import RefinedMatting
from .paths import SHARED_DATA
from .checkpoints import build_refined, load_shipped_refinement
from .loop import Hooks, IndexRange, Schedule, atomic_save, run_loop
from .train import load_config


TRAIN_CURVES = ("total", "refined_alpha_l1", "refined_alpha_grad", "refined_fg_l1", "error")
VAL_CURVES = ("sad_coarse_upsampled", "sad_refined", "error")


@torch.no_grad()
def evaluate(model: RefinedMatting, val: dict[str, torch.Tensor], coarse_size: tuple[int, int],
             batch_size: int = 4) -> dict[str, float]:
    """SAD (/1000) and MSE of the upsampled coarse alpha and of the refined alpha, and the error-head loss.
    Leaves the model in eval mode; the caller restores its training modes."""
    model.eval()
    sums = {"sad_coarse_upsampled": 0.0, "sad_refined": 0.0, "mse_coarse_upsampled": 0.0, "mse_refined": 0.0,
            "error": 0.0}
    n = val["image"].shape[0]
    for i in range(0, n, batch_size):
        batch = {k: v[i:i + batch_size] for k, v in val.items()}
        out = model(batch["image"], batch["plate"], batch["prior"], batch["motion"], coarse_size)
        for name, key in (("coarse_upsampled", "alpha_up"), ("refined", "alpha")):
            err = (out[key] - batch["alpha"]).flatten(1)
            sums[f"sad_{name}"] += float(err.abs().sum(1).sum()) / 1000
            sums[f"mse_{name}"] += float((err ** 2).mean(1).sum())
        sums["error"] += float(refinement_loss(out, batch, False)["error"]) * len(batch["image"])
    return {k: v / n for k, v in sums.items()}


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, required=True, help="JSON config (configs/bm-refine.json)")
    p.add_argument("--coarse", type=Path, help="checkpoint of the coarse generator (train.py); needed on the first run")
    p.add_argument("--init-onnx", type=Path,
                   help="start the heads and refiner from a shipped model (models/NAME.onnx + NAME-refiner.onnx)")
    p.add_argument("--run-dir", type=Path, help="where checkpoints and logs go (default: runs/<config name>)")
    p.add_argument("--data", type=Path, default=SHARED_DATA, help="shared data root (alphamatting/, backgrounds/)")
    p.add_argument("--steps", type=int, help="total steps (overrides the config)")
    p.add_argument("--lr", type=float, help="learning rate (overrides the config, also on resume)")
    p.add_argument("--workers", type=int, default=1, help="data loader processes")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where the networks train")
    args = p.parse_args(argv)

    config = load_config(args.config)
    tc, dc = config["train"], config["data"]
    steps, lr = args.steps or tc["steps"], args.lr or tc["lr"]
    run_dir = args.run_dir or Path("runs") / config["name"]
    train_coarse = bool(tc.get("train_coarse", False))
    torch.manual_seed(tc["seed"])
    torch.set_flush_denormal(True)  # measured: denormals make CPU convolutions several times slower
    torch.set_num_threads(tc.get("threads", 2))

    last = run_dir / "last.pt"
    state = torch.load(last, map_location="cpu") if last.exists() else None
    if state is None and args.coarse is None:
        p.error(f"--coarse is required for a new run (no checkpoint in {run_dir})")
    coarse_state = state["coarse_checkpoint"] if state else torch.load(args.coarse, map_location="cpu")
    device = torch.device(args.device)
    model = build_refined(coarse_state["config"], config).to(device, memory_format=torch.channels_last)
    if state:
        model.load_state_dict(state["model"])
    else:
        model.coarse.generator.load_state_dict(
            {k.removeprefix("generator."): v for k, v in coarse_state["model"].items()})
        if args.init_onnx:
            load_shipped_refinement(model, args.init_onnx)
    model.coarse.generator.requires_grad_(train_coarse)
    params = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr)
    start_step = 0
    if state:
        optimizer.load_state_dict(state["optimizer"])
        start_step = state["step"]
        for group in optimizer.param_groups:
            group["lr"] = lr

    def set_modes() -> None:
        model.train()
        model.coarse.generator.train(train_coarse)  # frozen: BN keeps its running statistics, as deployed

    set_modes()
    run_dir.mkdir(parents=True, exist_ok=True)
    with open(run_dir / "config.json", "w") as f:
        json.dump({**config, "parameters": {"refiner": count_parameters(model.refiner),
                                            "heads": count_parameters(model.coarse.heads)}}, f, indent=2)
    synth = synthesiser_from_config(args.data, dc, tc["seed"])
    loader = DataLoader(SynthDataset(synth), batch_size=tc["batch_size"], num_workers=args.workers,
                        sampler=IndexRange(start_step, steps, tc["batch_size"], 0, 1),
                        prefetch_factor=2 if args.workers else None)
    val = {k: v.to(device) for k, v in validation_set(args.data, dc["size"], tc["validation_samples"]).items()}
    val_coarse = tuple(dc["validation_coarse_size"])
    coarse_sizes = dc["coarse_sizes"]
    best = state.get("best", float("inf")) if state else float("inf")

    def save(step: int, path: Path, best_sad: float) -> None:
        atomic_save({"step": step, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "config": config, "coarse_checkpoint": coarse_state, "best": best_sad}, path)

    rng = torch.Generator().manual_seed(tc["seed"])

    def train_step(batch: dict[str, torch.Tensor], step: int) -> tuple[dict[str, torch.Tensor], dict]:
        batch = {k: v.to(device).contiguous(memory_format=torch.channels_last) for k, v in batch.items()}
        # The coarse size for this step: a pure function of the step, so a resumed run replays the same sizes.
        rng.manual_seed(tc["seed"] * 1_000_003 + step)
        side = coarse_sizes[int(torch.randint(len(coarse_sizes), (1,), generator=rng))]
        out = model(batch["image"], batch["plate"], batch["prior"], batch["motion"], (side, side))
        terms = refinement_loss(out, batch, train_coarse)
        optimizer.zero_grad(set_to_none=True)
        terms["total"].backward()
        optimizer.step()
        return terms, {"coarse": side}

    def validate(step: int) -> dict[str, float]:
        metrics = evaluate(model, val, val_coarse)
        set_modes()
        return metrics

    hooks = Hooks(step=train_step, validate=validate, save=save, best_metric="sad_refined",
                  train_curves=TRAIN_CURVES, val_curves=VAL_CURVES)
    run_loop(loader, run_dir, Schedule.from_config(tc, steps), start_step, lr, hooks, best)


if __name__ == "__main__":
    main()
