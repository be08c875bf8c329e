import pytest
import torch

from bgmatte_train.average import average_checkpoints
from bgmatte_train.model.generator import Generator

CONFIG = {"model": {"ngf": 4, "trunk_blocks": 1, "head_blocks": 1}}


def _checkpoint(path, seed: int, step: int, config=CONFIG):
    torch.manual_seed(seed)
    m = config["model"]
    model = Generator(m["ngf"], m["trunk_blocks"], m["head_blocks"])
    for module in model.modules():  # BatchNorm statistics that differ between the two, as after training
        if isinstance(module, torch.nn.BatchNorm2d):
            module.running_mean.uniform_(-1, 1)
            module.num_batches_tracked.fill_(step)
    torch.save({"step": step, "model": model.state_dict(), "optimizer": {}, "config": config}, path)
    return model.state_dict()


def test_averaging_takes_the_mean_of_weights_and_statistics_and_the_last_counters(tmp_path):
    a = _checkpoint(tmp_path / "a.pt", 1, 100)
    b = _checkpoint(tmp_path / "b.pt", 2, 200)
    c = _checkpoint(tmp_path / "c.pt", 3, 300)
    out = average_checkpoints([tmp_path / "a.pt", tmp_path / "b.pt", tmp_path / "c.pt"])
    assert out["step"] == 300 and "optimizer" not in out
    assert [x["step"] for x in out["averaged"]] == [100, 200, 300]
    floats = [k for k, v in a.items() if v.is_floating_point()]
    assert any("running_mean" in k for k in floats)
    for k in floats:
        assert torch.allclose(out["model"][k], (a[k] + b[k] + c[k]) / 3, atol=1e-6), k
        assert not torch.allclose(out["model"][k], a[k]) or torch.equal(a[k], b[k])
    counters = [k for k, v in a.items() if not v.is_floating_point()]
    assert counters and all(int(out["model"][k]) == 300 for k in counters)
    # The mean is a working model of the same shape.
    model = Generator(4, 1, 1)
    model.load_state_dict(out["model"])


def test_averaging_refuses_one_checkpoint_or_different_architectures(tmp_path):
    _checkpoint(tmp_path / "a.pt", 1, 100)
    _checkpoint(tmp_path / "wide.pt", 2, 200, {"model": {"ngf": 8, "trunk_blocks": 1, "head_blocks": 1}})
    with pytest.raises(ValueError, match="at least two"):
        average_checkpoints([tmp_path / "a.pt"])
    with pytest.raises(ValueError, match="not the same architecture"):
        average_checkpoints([tmp_path / "a.pt", tmp_path / "wide.pt"])
