import csv
import json

import onnx
import torch

from bgmatte_train import checkpoints, train, train_refiner
from bgmatte_train.contract import load_contract
from bgmatte_train.export import PATCH_SIZES, export_onnx, export_refiner, parity, to_fp16_storage
from bgmatte_train.model.generator import Generator
from bgmatte_train.model.refiner import CoarseGraph, CoarseHeads, RefinedMatting, Refiner, upsample

from test_train import tiny_config


def _random_refiner(hidden: int = 3) -> Refiner:
    torch.manual_seed(0)
    refiner = Refiner(hidden, width=8)
    for p in refiner.parameters():  # a trained-like refiner: the zero-initialised last layer would hide bugs
        torch.nn.init.normal_(p, std=0.2)
    return refiner.eval()


def test_refiner_on_patches_equals_the_dense_refiner():
    """Valid convolutions: a patch with PAD context pixels gives exactly the dense result of its centre."""
    refiner, pad = _random_refiner(), Refiner.PAD
    torch.manual_seed(1)
    inputs = [torch.rand(1, c, 40, 56) for c in (3, 3, 1, 3, 3)]
    with torch.no_grad():
        dense_alpha, dense_fg = refiner.dense(*inputs)
        padded = [torch.nn.functional.pad(t, (pad,) * 4, mode="replicate") for t in inputs]
        for y, x in [(0, 0), (16, 24), (32, 48)]:  # corner patches use the replicated border, as the product does
            patch = [t[..., y:y + 8 + 2 * pad, x:x + 8 + 2 * pad] for t in padded]
            alpha, fg = refiner(*patch)
            assert torch.allclose(alpha, dense_alpha[..., y:y + 8, x:x + 8], atol=1e-5)
            assert torch.allclose(fg, dense_fg[..., y:y + 8, x:x + 8], atol=1e-5)


def test_untrained_refiner_returns_the_upsampled_coarse_result():
    model = RefinedMatting(CoarseGraph(Generator(ngf=4, trunk_blocks=1, head_blocks=1), CoarseHeads(4, 2)),
                           Refiner(2)).eval()
    inputs = [torch.rand(2, c, 48, 64) for c in (3, 3, 1, 4)]
    with torch.no_grad():
        out = model(*inputs, coarse_size=(24, 32))
    assert out["alpha"].shape == (2, 1, 48, 64) and out["fg"].shape == (2, 3, 48, 64)
    assert out["error"].shape == (2, 1, 24, 32) and 0 <= out["error"].min() and out["error"].max() <= 1
    assert torch.allclose(out["alpha"], upsample(out["alpha_coarse"], 48, 64), atol=1e-5)


def test_coarse_and_refiner_exports_follow_the_contract_and_match_pytorch(tmp_path):
    contract = load_contract()
    r = contract["refinement"]
    coarse = CoarseGraph(Generator(ngf=4, trunk_blocks=1, head_blocks=1), CoarseHeads(4, 3)).eval()
    export_onnx(coarse, tmp_path / "c.onnx")
    outs = [o.name for o in onnx.load(str(tmp_path / "c.onnx")).graph.output]
    assert outs == [s["name"] for s in contract["outputs"] + r["coarseExtraOutputs"]]
    assert parity(coarse, tmp_path / "c.onnx", [(64, 96), (132, 100)]) <= 1e-4

    refiner = _random_refiner()
    export_refiner(refiner, 3, tmp_path / "r.onnx")
    model = onnx.load(str(tmp_path / "r.onnx"))
    assert [i.name for i in model.graph.input] == [s["name"] for s in r["refinerInputs"]]
    assert [o.name for o in model.graph.output] == [s["name"] for s in r["refinerOutputs"]]
    assert parity(refiner, tmp_path / "r.onnx", PATCH_SIZES, inputs=r["refinerInputs"], hidden=3) <= 1e-4


def test_refiner_training_learns_resumes_and_keeps_the_coarse_network_frozen(tmp_path, shared_data):
    coarse_cfg = tiny_config(tmp_path, procedural_fraction=1.0, batch_size=2, steps=1, threads=2, validation_samples=2)
    coarse_run = tmp_path / "coarse"
    train.main(["--config", str(coarse_cfg), "--run-dir", str(coarse_run), "--workers", "0"])
    config = {"name": "tiny-refine", "model": {"hidden": 2, "width": 8},
              "data": {"size": 64, "coarse_sizes": [32, 16], "validation_coarse_size": [16, 16],
                       "procedural_fraction": 1.0, "still_fraction": 0.5},
              "train": {"batch_size": 2, "lr": 1e-2, "steps": 6, "seed": 1, "threads": 2, "checkpoint_every": 3,
                        "log_every": 1, "validate_every": 3, "validation_samples": 2}}
    cfg = tmp_path / "refine.json"
    cfg.write_text(json.dumps(config))
    run = tmp_path / "run"
    args = ["--config", str(cfg), "--run-dir", str(run), "--workers", "0", "--device", "cpu"]
    train_refiner.main(args + ["--coarse", str(coarse_run / "last.pt"), "--steps", "3"])
    train_refiner.main(args + ["--steps", "6"])  # resumes without --coarse
    state = torch.load(run / "last.pt")
    assert state["step"] == 6
    coarse_before = torch.load(coarse_run / "last.pt")["model"]
    for k, v in coarse_before.items():
        assert torch.equal(state["model"][f"coarse.{k}"], v), f"frozen coarse weight {k} changed"
    assert state["model"]["refiner.body.6.weight"].abs().sum() > 0  # the refiner did learn (was zero)
    rows = list(csv.DictReader(open(run / "train_log.csv")))
    assert [int(r["step"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    assert {"refined_alpha_l1", "refined_alpha_grad", "refined_fg_l1", "refined_compose", "error"} <= set(rows[0])
    val = list(csv.DictReader(open(run / "val_log.csv")))
    assert {"sad_coarse_upsampled", "sad_refined"} <= set(val[0])


def _shipped_pair(tmp_path, seed: int, fp16: bool) -> RefinedMatting:
    """A tiny coarse + refiner pair exported as models/m.onnx and m-refiner.onnx would be (fp16 storage or fp32)."""
    torch.manual_seed(seed)
    shipped = RefinedMatting(CoarseGraph(Generator(ngf=4, trunk_blocks=1, head_blocks=1), CoarseHeads(4, 3)),
                             _random_refiner()).eval()
    suffix = ".fp32.onnx" if fp16 else ".onnx"
    export_onnx(shipped.coarse, tmp_path / f"m{suffix}")
    export_refiner(shipped.refiner, 3, tmp_path / f"m-refiner{suffix}")
    if fp16:
        to_fp16_storage(tmp_path / "m.fp32.onnx", tmp_path / "m.onnx")
        to_fp16_storage(tmp_path / "m-refiner.fp32.onnx", tmp_path / "m-refiner.onnx")
    return shipped


def test_heads_and_refiner_start_from_a_shipped_fp16_onnx_pair(tmp_path):
    """Fine-tuning after the coarse generator changed starts from the shipped heads and refiner, not from zero."""
    shipped = _shipped_pair(tmp_path, seed=3, fp16=True)
    fresh = RefinedMatting(CoarseGraph(Generator(ngf=4, trunk_blocks=1, head_blocks=1), CoarseHeads(4, 3)),
                           Refiner(3, width=8))
    checkpoints.load_shipped_refinement(fresh, tmp_path / "m.onnx")
    for name, module in (("heads", "coarse.heads"), ("refiner", "refiner")):
        want = shipped.get_submodule(module).state_dict()
        got = fresh.get_submodule(module).state_dict()
        assert want.keys() == got.keys(), name
        for k in want:  # fp16 storage: equal to half precision
            assert torch.allclose(want[k], got[k], rtol=1e-3, atol=1e-4), f"{name}.{k}"


def test_a_fine_tuned_generator_exports_with_the_shipped_heads_and_refiner(tmp_path):
    """export --refinement-from: the generator of a train.py checkpoint, the heads and refiner of a shipped pair."""
    from bgmatte_train import export

    shipped = _shipped_pair(tmp_path, seed=4, fp16=False)  # fp32, so that parity can be exact
    model = {"ngf": 4, "trunk_blocks": 1, "head_blocks": 1}
    tuned = checkpoints.build_model({"model": model}).eval()
    torch.save({"step": 7, "model": tuned.state_dict(), "config": {"model": model}}, tmp_path / "g.pt")
    export.main(["--checkpoint", str(tmp_path / "g.pt"), "--out", str(tmp_path / "out.onnx"),
                 "--refinement-from", str(tmp_path / "m.onnx")])
    coarse = onnx.load(str(tmp_path / "out.onnx"))
    assert [o.name for o in coarse.graph.output] == ["alpha", "fg", "error", "hidden"]
    # The tuned generator under the shipped heads, and the shipped refiner, exactly.
    expected = CoarseGraph(tuned.generator, shipped.coarse.heads).eval()
    assert export.parity(expected, tmp_path / "out.onnx", export.COARSE_SIZES) < 1e-4
    specs = load_contract()["refinement"]["refinerInputs"]
    assert parity(shipped.refiner, tmp_path / "out-refiner.onnx", PATCH_SIZES, inputs=specs, hidden=3) < 1e-4
