"""The GPU recipe at toy size on the CPU: the bank, the batches composed from it, and one short run end to end."""
import json

import cv2
import numpy as np
import pytest
import torch

from bgmatte_train.checkpoints import build_model
from bgmatte_train.gpu import recipe
from bgmatte_train.gpu.compose import Bank, Mix, compose_batch, plate_parallax, print_marks


def _toy_bank(folder, size=48):
    rng = np.random.default_rng(0)
    folder.mkdir()
    yy, xx = np.mgrid[0:size, 0:size]
    disc = ((yy - size / 2) ** 2 + (xx - size / 2) ** 2 < (size / 3) ** 2).astype(np.uint8) * 255
    rgba = np.dstack([rng.integers(0, 255, (size, size, 3), dtype=np.uint8), disc])[None].repeat(2, 0)
    np.savez_compressed(folder / "foregrounds.npz", rgba=rgba, names=np.array(["a", "b"]))
    jpegs = {f"{i:04d}": cv2.imencode(".jpg", rng.integers(0, 255, (size, size, 3), dtype=np.uint8))[1] for i in range(3)}
    np.savez(folder / "backgrounds.npz", **jpegs)
    np.savez_compressed(folder / "procedural.npz", alpha=disc[None].repeat(4, 0),
                        kind=np.array(["person", "grid", "person", "shape"]))
    val = {k: rng.integers(0, 255, (2, c, 32, 32), dtype=np.uint8)
           for k, c in (("image", 3), ("plate", 3), ("prior", 1), ("motion", 4), ("alpha", 1), ("fg", 3), ("bg", 3))}
    np.savez_compressed(folder / "validation.npz", **val)
    from bgmatte_train.gpu.bank import glass_bank

    np.savez_compressed(folder / "glass.npz", **glass_bank(3, size, rng))
    (folder / "bank.json").write_text(json.dumps({"size": size}))


# With parallax too: the plate moves, the shot does not.
@pytest.mark.parametrize("parallax", [0.0, 1.0])
def test_composed_batches_have_the_contracts_shapes_ranges_and_obey_the_matting_equation(tmp_path, parallax):
    _toy_bank(tmp_path / "bank")
    bank, _, _ = recipe.load_bank(tmp_path / "bank", torch.device("cpu"))
    assert isinstance(bank, Bank) and bank.is_person.tolist() == [True, False, True, False]
    torch.manual_seed(0)
    b = compose_batch(bank, 6, 32, Mix(shot_noise=0.0, skin_backdrop_fraction=0.5, large_camouflage_fraction=0.5,
                                       parallax_fraction=parallax))
    channels = {"image": 3, "plate": 3, "prior": 1, "motion": 4, "alpha": 1, "fg": 3, "bg": 3}
    for k, c in channels.items():
        assert b[k].shape == (6, c, 32, 32), k
        assert float(b[k].min()) >= 0 and float(b[k].max()) <= 1, k
    composite = b["alpha"] * b["fg"] + (1 - b["alpha"]) * b["bg"]
    assert float((composite - b["image"]).abs().max()) < 1e-5  # no noise asked: exactly the composite
    assert float(b["alpha"].mean()) > 0.05  # subjects are in the frame


def test_print_marks_lie_inside_the_interior_and_cover_little_of_it():
    torch.manual_seed(0)
    interior = torch.zeros(16, 1, 64, 64)
    interior[..., 8:56, 8:56] = 1
    marks = print_marks(interior)
    assert set(marks.unique().tolist()) <= {0.0, 1.0}
    assert float((marks * (1 - interior)).sum()) == 0
    share = marks.flatten(1).sum(1) / interior.flatten(1).sum(1)
    assert float(share.max()) <= 0.15 and float(share.mean()) > 0.005


def test_small_camouflage_paints_the_background_colour_into_the_opaque_subject(tmp_path):
    _toy_bank(tmp_path / "bank")
    bank, _, _ = recipe.load_bank(tmp_path / "bank", torch.device("cpu"))

    def batch(fraction):  # the same draws either way: only whether the marks are painted differs
        torch.manual_seed(2)
        return compose_batch(bank, 16, 128, Mix(shot_noise=0.0, camouflage_fraction=fraction, shadow_fraction=0.0,
                                                skin_backdrop_fraction=0.0, large_camouflage_fraction=0.0))

    plain, painted = batch(0.0), batch(1.0)
    assert torch.equal(plain["alpha"], painted["alpha"]) and torch.equal(plain["bg"], painted["bg"])
    changed = (painted["fg"] - plain["fg"]).abs().amax(1, keepdim=True) > 0.1
    assert int(changed.sum()) > 100
    assert bool((painted["alpha"][changed] > 0.97).all())  # inside the opaque subject only
    # There the subject takes the background's colour (a little off, and blurred over the marks' rims).
    off_bg = [float((b["fg"] - b["bg"]).abs().amax(1, keepdim=True)[changed].mean()) for b in (plain, painted)]
    assert off_bg[1] < 0.5 * off_bg[0]
    composite = painted["alpha"] * painted["fg"] + (1 - painted["alpha"]) * painted["bg"]
    assert float((composite - painted["image"]).abs().max()) < 1e-5


def test_glass_samples_show_the_refracted_dimmed_background_and_still_obey_the_matting_equation(tmp_path):
    _toy_bank(tmp_path / "bank")
    bank, _, _ = recipe.load_bank(tmp_path / "bank", torch.device("cpu"))
    torch.manual_seed(1)
    b = compose_batch(bank, 8, 48, Mix(shot_noise=0.0, glass_fraction=1.0, glass_optics=1.0,
                                       skin_backdrop_fraction=0.0, shadow_fraction=0.0))
    composite = b["alpha"] * b["fg"] + (1 - b["alpha"]) * b["bg"]
    assert float((composite - b["image"]).abs().max()) < 1e-5
    inside = b["alpha"] > 0.02
    # Mostly see-through: the body lets most of the background through; the rim and highlights are opaque-ish.
    assert 0.02 < float(b["alpha"][inside].mean()) < 0.6
    # Seen through the glass, the background is shifted and blurred: it differs from the (unrefracted) plate there.
    assert float((b["bg"] - b["plate"]).abs()[inside.expand(-1, 3, -1, -1)].mean()) > 0.01


@pytest.mark.parametrize("model", [{"ngf": 4, "trunk_blocks": 1, "head_blocks": 1},
                                   {"architecture": "live", "width": 8, "trunk_blocks": 1, "head_blocks": 1}])
def test_recipe_trains_exports_and_reports_at_toy_size(tmp_path, model):
    _toy_bank(tmp_path / "bank")
    config = {"model": model}
    torch.save({"step": 0, "model": build_model(config).state_dict(), "config": config}, tmp_path / "init.pt")
    out = tmp_path / "out"
    args = ["--bank", str(tmp_path / "bank"), "--out", str(out), "--init", str(tmp_path / "init.pt"),
            "--refinement-from", "", "--device", "cpu", "--batch", "2", "--size", "32", "--max-steps", "2"]
    recipe.main(args)
    for name in ("bm-lite-gpu.pt", "bm-lite-gpu.onnx", "metrics.json", "train_log.csv", "curves.png"):
        assert (out / name).exists(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["steps"] == 2 and metrics["samples_this_run"] == 4
    assert {"sad", "mse"} <= set(metrics["validation_after"])
    assert metrics["mix"]["glass_fraction"] == 0.3 and metrics["mix"]["camouflage_fraction"] == 0.2
    recipe.main(args[:4] + ["--resume", str(out / "bm-lite-gpu.pt")] + args[6:])  # continues from step 2
    assert json.loads((out / "metrics.json").read_text())["steps"] == 4


def test_parallax_shifts_the_plate_beside_the_subject_and_leaves_the_shot_alone():
    torch.manual_seed(0)
    n, size = 8, 64
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing="ij")
    alpha = (((yy - 32) ** 2 + (xx - 32) ** 2) < 12 ** 2).float().expand(n, 1, size, size).contiguous()
    plate = torch.rand(n, 3, size, size)  # every pixel its own colour: any shift shows
    kept = plate_parallax(plate, alpha, size, torch.zeros(n, 1, 1, 1, dtype=torch.bool))
    assert torch.equal(kept, plate)
    moved = plate_parallax(plate, alpha, size, torch.ones(n, 1, 1, 1, dtype=torch.bool))
    changed = (moved - plate).abs().amax(1, keepdim=True) > 0.05
    assert moved.min() >= 0 and moved.max() <= 1
    for k in range(n):
        share = float(changed[k].float().mean())
        assert 0.01 < share < 0.6, share  # a patch, not the whole plate
        # Beside the subject: the patch's middle lies within reach of its outline.
        ys, xs = torch.nonzero(changed[k, 0], as_tuple=True)
        d = torch.sqrt((ys.float().mean() - 32) ** 2 + (xs.float().mean() - 32) ** 2)
        assert d < 12 + 16 * size / 256 + 0.3 * size / 2 + 2, float(d)
