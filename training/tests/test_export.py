import numpy as np
import onnx
import onnxruntime as ort
import torch

from bgmatte_train.contract import load_contract
from bgmatte_train.export import export_onnx, parity, to_fp16_storage
from bgmatte_train.model.generator import Generator, MattingGraph


def _trained_like_graph() -> MattingGraph:
    torch.manual_seed(0)
    graph = MattingGraph(Generator(ngf=8))
    graph.train()
    with torch.no_grad():  # move BN statistics away from their init so eval mode is a real test
        for _ in range(3):
            graph(torch.rand(2, 3, 32, 32), torch.rand(2, 3, 32, 32), torch.rand(2, 1, 32, 32), torch.rand(2, 4, 32, 32))
    return graph.eval()


def test_onnx_export_follows_the_contract_and_matches_pytorch(tmp_path):
    graph = _trained_like_graph()
    path = tmp_path / "m.onnx"
    export_onnx(graph, path)
    contract = load_contract()
    model = onnx.load(str(path))
    assert model.opset_import[0].version >= contract["minOpset"]
    assert [i.name for i in model.graph.input] == [s["name"] for s in contract["inputs"]]
    assert [o.name for o in model.graph.output] == [s["name"] for s in contract["outputs"]]
    assert parity(graph, path, [(64, 96), (132, 100)]) <= 1e-4


def test_fp16_storage_halves_the_file_and_stays_close(tmp_path):
    graph = _trained_like_graph()
    full, half = tmp_path / "m.onnx", tmp_path / "m16.onnx"
    export_onnx(graph, full)
    to_fp16_storage(full, half)
    assert half.stat().st_size < 0.6 * full.stat().st_size
    assert parity(graph, half, [(64, 64)]) < 1e-2
    session = ort.InferenceSession(str(half), providers=["CPUExecutionProvider"])
    out = session.run(None, {"image": np.zeros((1, 3, 32, 32), np.float32), "plate": np.zeros((1, 3, 32, 32), np.float32),
                             "prior": np.zeros((1, 1, 32, 32), np.float32), "motion": np.zeros((1, 4, 32, 32), np.float32)})
    assert out[0].dtype == np.float32
