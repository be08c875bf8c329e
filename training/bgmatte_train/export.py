"""Export a trained checkpoint to ONNX following models/contract.json, check parity, optionally store fp16 weights.

    python -m bgmatte_train.export --checkpoint runs/bm-lite/best.pt --out ../models/bm-lite.onnx --fp16
    python -m bgmatte_train.export --checkpoint runs/bm-refine/best.pt --out ../models/bm-lite.onnx --fp16

A refiner checkpoint (train_refiner.py) exports two files: the coarse graph with the extra `error` and `hidden`
outputs at --out, and the refiner at <out>-refiner.onnx (contract "refinement"). So does a generator checkpoint
with `--refinement-from models/NAME.onnx`: a fine-tuned generator keeps the error/hidden heads and the refiner of a
shipped pair (they read the generator's last features, which a short fine-tune moves little; measure before shipping).

fp16 here means fp16 *storage*: weights are kept as float16 initialisers with a Cast to float32 in front of each,
so the file halves while arithmetic stays float32 (onnxruntime's CPU kernels are float32).
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

from .checkpoints import (is_refiner_checkpoint, load_graph, load_refined, load_with_shipped_refinement,
                          refiner_path)
from .contract import channels, load_contract
from .model.refiner import CoarseGraph, Refiner


def _channels(spec: dict, hidden: int) -> int:
    return hidden if spec["shape"][1] == "K" else channels(spec)


def _export(module: torch.nn.Module, inputs: list[dict], outputs: list[dict], hidden: int, side: int,
            out: Path, opset: int) -> None:
    names_in, names_out = [s["name"] for s in inputs], [s["name"] for s in outputs]
    dummy = tuple(torch.rand(1, _channels(s, hidden), side, side) for s in inputs)
    axes = {n: {0: "N", 2: "H", 3: "W"} for n in names_in + names_out}
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(module.eval(), dummy, str(tmp), input_names=names_in, output_names=names_out,
                      dynamic_axes=axes, opset_version=max(opset, load_contract()["minOpset"]), dynamo=False)
    onnx.checker.check_model(str(tmp))
    os.replace(tmp, out)


def export_onnx(graph: torch.nn.Module, out: Path, opset: int = 17) -> None:
    """The matting graph; a CoarseGraph also gets the `error` and `hidden` outputs."""
    contract = load_contract()
    outputs = contract["outputs"]
    hidden = 0
    if isinstance(graph, CoarseGraph):
        outputs = outputs + contract["refinement"]["coarseExtraOutputs"]
        hidden = graph.heads.hidden[0].out_channels
    _export(graph, contract["inputs"], outputs, hidden, 64, out, opset)


def export_refiner(refiner: Refiner, hidden: int, out: Path, opset: int = 17) -> None:
    r = load_contract()["refinement"]
    _export(refiner, r["refinerInputs"], r["refinerOutputs"], hidden, 8 + 2 * Refiner.PAD, out, opset)


def to_fp16_storage(src: Path, dst: Path) -> None:
    model = onnx.load(str(src))
    g = model.graph
    new_inits, casts = [], []
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if arr.dtype == np.float32 and arr.size > 16:
            half_name = init.name + "__fp16"
            new_inits.append(numpy_helper.from_array(arr.astype(np.float16), half_name))
            casts.append(helper.make_node("Cast", [half_name], [init.name], to=onnx.TensorProto.FLOAT))
        else:
            new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = casts + list(g.node)
    del g.node[:]
    g.node.extend(nodes)
    onnx.checker.check_model(model)
    tmp = dst.with_suffix(".tmp.onnx")
    onnx.save(model, str(tmp))
    os.replace(tmp, dst)


def parity(graph: torch.nn.Module, onnx_path: Path, sizes: list[tuple[int, int]], seed: int = 0,
           inputs: list[dict] | None = None, hidden: int = 0) -> float:
    """Max abs difference between PyTorch and onnxruntime on random inputs at each size (every output)."""
    import onnxruntime as ort

    specs = inputs or load_contract()["inputs"]
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    gen = torch.Generator().manual_seed(seed)
    worst = 0.0
    for h, w in sizes:
        feeds = {s["name"]: torch.rand(1, _channels(s, hidden), h, w, generator=gen) for s in specs}
        with torch.no_grad():
            ref = graph(*feeds.values())
        got = session.run(None, {k: v.numpy() for k, v in feeds.items()})
        worst = max(worst, *(float(np.abs(r.numpy() - o).max()) for r, o in zip(ref, got)))
    return worst


def _write(module: torch.nn.Module, export, out: Path, fp16: bool, check) -> None:
    """Export (fp32), report parity, optionally convert to fp16 storage and report again."""
    fp32_path = out.with_suffix(".fp32.onnx") if fp16 else out
    export(fp32_path)
    print(f"{out.name}: fp32 parity (max abs diff at two sizes): {check(fp32_path):.2e}")
    if fp16:
        to_fp16_storage(fp32_path, out)
        fp32_path.unlink()
        print(f"{out.name}: fp16-storage vs PyTorch fp32 (max abs diff): {check(out):.2e}")
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB)")


COARSE_SIZES = [(64, 96), (128, 128)]
PATCH_SIZES = [(16, 16), (40, 72)]


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--fp16", action="store_true", help="store weights as float16 (half the file)")
    p.add_argument("--refinement-from", type=Path,
                   help="with a generator checkpoint: take the error/hidden heads and refiner of this shipped pair")
    args = p.parse_args(argv)
    if args.refinement_from:
        coarse, refiner = load_with_shipped_refinement(args.checkpoint, args.refinement_from)
    elif not is_refiner_checkpoint(args.checkpoint):
        graph = load_graph(args.checkpoint)
        _write(graph, lambda path: export_onnx(graph, path), args.out, args.fp16,
               lambda path: parity(graph, path, COARSE_SIZES))
        return
    else:
        coarse, refiner = load_refined(args.checkpoint)
    hidden = coarse.heads.hidden[0].out_channels
    _write(coarse, lambda path: export_onnx(coarse, path), args.out, args.fp16,
           lambda path: parity(coarse, path, COARSE_SIZES))
    specs = load_contract()["refinement"]["refinerInputs"]
    _write(refiner, lambda path: export_refiner(refiner, hidden, path), refiner_path(args.out), args.fp16,
           lambda path: parity(refiner, path, PATCH_SIZES, inputs=specs, hidden=hidden))


if __name__ == "__main__":
    main()
