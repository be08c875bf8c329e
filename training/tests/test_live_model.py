import torch

from bgmatte_train.checkpoints import build_model
from bgmatte_train.export import export_onnx, parity
from bgmatte_train.losses import supervised_loss
from bgmatte_train.model.generator import Generator, MattingGraph, count_parameters
from bgmatte_train.model.live import LiveGenerator

from conftest import batch_of


def _inputs(n: int, h: int, w: int) -> tuple[torch.Tensor, ...]:
    return torch.rand(n, 3, h, w), torch.rand(n, 3, h, w), torch.rand(n, 1, h, w), torch.rand(n, 4, h, w)


def _conv_macs_per_pixel(generator: torch.nn.Module, h: int = 72, w: int = 128) -> float:
    """Multiply-accumulates of every convolution, per input pixel, measured by hooks on a forward pass."""
    total = 0

    def count(module, _inputs, output):
        nonlocal total
        k = module.kernel_size[0] * module.kernel_size[1] * module.in_channels // module.groups
        total += output.numel() * k

    hooks = [m.register_forward_hook(count) for m in generator.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        generator.eval()(*_inputs(1, h, w))
    for hook in hooks:
        hook.remove()
    return total / (h * w)


def test_live_generator_keeps_the_contract_at_sizes_that_are_multiples_of_4():
    graph = MattingGraph(LiveGenerator(width=16, trunk_blocks=1, head_blocks=1)).eval()
    for h, w in ((64, 64), (72, 128), (36, 20)):
        alpha, fg = graph(*_inputs(2, h, w))
        assert alpha.shape == (2, 1, h, w) and fg.shape == (2, 3, h, w)
        assert 0 <= float(alpha.min()) and float(alpha.max()) <= 1
        assert 0 <= float(fg.min()) and float(fg.max()) <= 1


def test_the_config_chooses_the_live_architecture():
    live = build_model({"model": {"architecture": "live", "width": 16, "trunk_blocks": 1, "head_blocks": 1}})
    assert isinstance(live.generator, LiveGenerator)
    assert isinstance(build_model({"model": {"ngf": 4, "trunk_blocks": 1, "head_blocks": 1}}).generator, Generator)


def test_the_shipped_live_size_does_a_fraction_of_the_generators_work():
    live, original = LiveGenerator(48, 4, 2), Generator(16, 7, 3)
    assert _conv_macs_per_pixel(live) < 0.5 * _conv_macs_per_pixel(original)
    assert count_parameters(live) < count_parameters(original)


def test_live_generator_learns_a_fixed_batch(procedural_synth):
    torch.manual_seed(0)
    graph = MattingGraph(LiveGenerator(width=16, trunk_blocks=1, head_blocks=1))
    batch = batch_of(procedural_synth, 4)
    opt = torch.optim.Adam(graph.parameters(), lr=2e-3)
    losses = []
    for _ in range(15):
        terms = supervised_loss(*graph(batch["image"], batch["plate"], batch["prior"], batch["motion"]), batch)
        opt.zero_grad()
        terms["total"].backward()
        opt.step()
        losses.append(float(terms["total"]))
    assert losses[-1] < 0.7 * losses[0]


def test_live_generator_exports_to_onnx_with_parity(tmp_path):
    torch.manual_seed(0)
    graph = MattingGraph(LiveGenerator(width=16, trunk_blocks=1, head_blocks=1))
    with torch.no_grad():  # BN statistics away from their init, so eval mode is a real test
        for _ in range(3):
            graph(*_inputs(2, 32, 32))
    graph.eval()
    export_onnx(graph, tmp_path / "live.onnx")
    assert parity(graph, tmp_path / "live.onnx", [(64, 96), (72, 128)]) <= 1e-4


def test_quantized_export_runs_8_bit_convolutions_and_stays_close_to_float32(tmp_path):
    import numpy as np
    import onnx

    from bgmatte_train.quantize import alpha_difference, last_convolutions, quantize

    graph = MattingGraph(LiveGenerator(width=16, trunk_blocks=1, head_blocks=1))
    # Trained-like normalisation statistics: an untrained network's equal zero biases are shared in the export, which
    # the quantiser cannot handle (a trained one has none).
    torch.manual_seed(0)
    for m in graph.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.1, 0.1)
            m.bias.data.uniform_(-0.1, 0.1)
    export_onnx(graph, tmp_path / "live.onnx")
    rng = np.random.default_rng(0)
    feeds = [{k: rng.random((1, c, 32, 48), dtype=np.float32) for k, c in
              (("image", 3), ("plate", 3), ("prior", 1), ("motion", 4))} for _ in range(4)]
    quantize(tmp_path / "live.onnx", tmp_path / "live-int8.onnx", feeds)
    nodes = onnx.load(str(tmp_path / "live-int8.onnx")).graph.node
    # Every convolution is 8-bit but the two heads' last (alpha's and F's).
    heads = last_convolutions(onnx.load(str(tmp_path / "live.onnx")))
    assert len(heads) == 2
    assert any(n.op_type == "QLinearConv" for n in nodes)
    assert sorted(n.name for n in nodes if n.op_type == "Conv") == sorted(heads)
    assert alpha_difference(tmp_path / "live.onnx", tmp_path / "live-int8.onnx", feeds) < 0.05
