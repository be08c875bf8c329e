"""Export a trained checkpoint to ONNX following models/contract.json, check parity, optionally store fp16 weights.

    python -m bgmatte_train.export --checkpoint runs/bm-lite/best.pt --out ../models/bm-lite.onnx --fp16

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

from .contract import channels, load_contract
from .model.generator import Generator, MattingGraph


def load_graph(checkpoint: Path) -> MattingGraph:
    state = torch.load(checkpoint, map_location="cpu")
    m = state["config"]["model"]
    graph = MattingGraph(Generator(m["ngf"], m["trunk_blocks"], m["head_blocks"]))
    graph.load_state_dict(state["model"])
    return graph.eval()


def export_onnx(graph: MattingGraph, out: Path, opset: int = 17) -> None:
    contract = load_contract()
    names_in = [s["name"] for s in contract["inputs"]]
    names_out = [s["name"] for s in contract["outputs"]]
    dummy = tuple(torch.rand(1, channels(s), 64, 64) for s in contract["inputs"])
    axes = {n: {0: "N", 2: "H", 3: "W"} for n in names_in + names_out}
    tmp = out.with_suffix(".tmp.onnx")
    torch.onnx.export(graph.eval(), dummy, str(tmp), input_names=names_in, output_names=names_out,
                      dynamic_axes=axes, opset_version=max(opset, contract["minOpset"]), dynamo=False)
    onnx.checker.check_model(str(tmp))
    os.replace(tmp, out)


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


def parity(graph: MattingGraph, onnx_path: Path, sizes: list[tuple[int, int]], seed: int = 0) -> float:
    """Max abs difference between PyTorch and onnxruntime on random inputs at each size."""
    import onnxruntime as ort

    contract = load_contract()
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    gen = torch.Generator().manual_seed(seed)
    worst = 0.0
    for h, w in sizes:
        inputs = {s["name"]: torch.rand(1, channels(s), h, w, generator=gen) for s in contract["inputs"]}
        with torch.no_grad():
            ref = graph(*inputs.values())
        got = session.run(None, {k: v.numpy() for k, v in inputs.items()})
        worst = max(worst, *(float(np.abs(r.numpy() - o).max()) for r, o in zip(ref, got)))
    return worst


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--fp16", action="store_true", help="store weights as float16 (half the file)")
    args = p.parse_args(argv)
    graph = load_graph(args.checkpoint)
    fp32_path = args.out.with_suffix(".fp32.onnx") if args.fp16 else args.out
    export_onnx(graph, fp32_path)
    print(f"fp32 parity (max abs diff, 64x96 and 128x128): {parity(graph, fp32_path, [(64, 96), (128, 128)]):.2e}")
    if args.fp16:
        to_fp16_storage(fp32_path, args.out)
        fp32_path.unlink()
        print(f"fp16-storage vs PyTorch fp32 (max abs diff): {parity(graph, args.out, [(64, 96), (128, 128)]):.2e}")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
