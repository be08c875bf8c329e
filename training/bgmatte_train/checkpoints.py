"""Models built from configs and loaded from checkpoints or shipped ONNX pairs.

Shared by training, refiner training, export, validation and adaptation, so that none of them imports another.
"""
from __future__ import annotations

from pathlib import Path

import torch

from .model.generator import Generator, MattingGraph
from .model.live import LiveGenerator
from .model.refiner import CoarseGraph, CoarseHeads, RefinedMatting, Refiner


def build_model(config: dict) -> MattingGraph:
    m = config["model"]
    if m.get("architecture") == "live":
        return MattingGraph(LiveGenerator(m["width"], m["trunk_blocks"], m["head_blocks"]))
    return MattingGraph(Generator(m["ngf"], m["trunk_blocks"], m["head_blocks"]))


def build_refined(coarse_config: dict, config: dict) -> RefinedMatting:
    generator = build_model(coarse_config).generator
    m = config["model"]
    return RefinedMatting(CoarseGraph(generator, CoarseHeads(generator.ngf, m["hidden"])),
                          Refiner(m["hidden"], m["width"]))


def refiner_path(coarse_path: Path) -> Path:
    return coarse_path.with_name(coarse_path.name.removesuffix(".onnx") + "-refiner.onnx")


def shipped_refinement_weights(coarse_onnx: Path) -> tuple[dict[str, torch.Tensor], dict[str, torch.Tensor]]:
    """The error/hidden heads' and the refiner's weights out of a shipped ONNX pair (models/NAME.onnx and
    NAME-refiner.onnx). Initialiser names are the PyTorch parameter names, with a `__fp16` suffix where the weights
    are stored as float16."""
    import onnx
    from onnx import numpy_helper

    def weights(path: Path) -> dict[str, torch.Tensor]:
        graph = onnx.load(str(path)).graph
        return {i.name.removesuffix("__fp16"): torch.from_numpy(numpy_helper.to_array(i).astype("float32"))
                for i in graph.initializer}

    heads = {k.removeprefix("heads."): v for k, v in weights(coarse_onnx).items() if k.startswith("heads.")}
    return heads, weights(refiner_path(coarse_onnx))


def load_shipped_refinement(model: RefinedMatting, coarse_onnx: Path) -> None:
    """Start the heads and the refiner from a shipped ONNX pair (fine-tuning them after the coarse generator changed
    is far cheaper than training them anew)."""
    heads, refiner = shipped_refinement_weights(coarse_onnx)
    model.coarse.heads.load_state_dict(heads)
    model.refiner.load_state_dict(refiner)


def load_graph(checkpoint: Path) -> MattingGraph:
    state = torch.load(checkpoint, map_location="cpu")
    graph = build_model(state["config"])
    graph.load_state_dict(state["model"])
    return graph.eval()


def load_refined(checkpoint: Path) -> tuple[CoarseGraph, Refiner]:
    state = torch.load(checkpoint, map_location="cpu")
    model = build_refined(state["coarse_checkpoint"]["config"], state["config"])
    model.load_state_dict(state["model"])
    return model.coarse.eval(), model.refiner.eval()


def load_with_shipped_refinement(checkpoint: Path, shipped: Path) -> tuple[CoarseGraph, Refiner]:
    """A generator checkpoint (train.py) with the heads and refiner of a shipped ONNX pair."""
    generator = load_graph(checkpoint).generator
    heads, refiner_weights = shipped_refinement_weights(shipped)
    hidden = heads["hidden.0.weight"].shape[0]
    model = RefinedMatting(CoarseGraph(generator, CoarseHeads(generator.ngf, hidden)),
                           Refiner(hidden, refiner_weights["body.0.weight"].shape[0]))
    model.coarse.heads.load_state_dict(heads)
    model.refiner.load_state_dict(refiner_weights)
    return model.coarse.eval(), model.refiner.eval()


def is_refiner_checkpoint(checkpoint: Path) -> bool:
    return "coarse_checkpoint" in torch.load(checkpoint, map_location="cpu")
