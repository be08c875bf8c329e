"""Choose ngf by measurement: onnxruntime CPU time of the generator at 512x512, batch 1, per thread count.

    python scripts/measure_ngf.py --ngf 16 24 32
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bgmatte_train.export import export_onnx  # noqa: E402
from bgmatte_train.model.generator import Generator, MattingGraph, count_parameters  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--ngf", type=int, nargs="+", default=[16, 24, 32])
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    feeds = {"image": np.random.rand(1, 3, 512, 512).astype(np.float32), "plate": np.random.rand(1, 3, 512, 512).astype(np.float32),
             "prior": np.random.rand(1, 1, 512, 512).astype(np.float32), "motion": np.random.rand(1, 4, 512, 512).astype(np.float32)}
    for ngf in args.ngf:
        graph = MattingGraph(Generator(ngf)).eval()
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "m.onnx"
            export_onnx(graph, path)
            for threads in args.threads:
                opts = ort.SessionOptions()
                opts.intra_op_num_threads = threads
                sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
                sess.run(None, feeds)
                times = []
                for _ in range(args.runs):
                    t0 = time.perf_counter()
                    sess.run(None, feeds)
                    times.append(time.perf_counter() - t0)
                print(f"ngf={ngf:3d} params={count_parameters(graph.generator) / 1e6:.2f}M threads={threads}: {np.median(times):.3f} s")


if __name__ == "__main__":
    main()
