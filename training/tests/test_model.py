import torch

from bgmatte_train.losses import supervised_loss
from bgmatte_train.model.discriminator import MultiscaleDiscriminator
from bgmatte_train.model.generator import Generator, MattingGraph, count_parameters

from conftest import batch_of


def _inputs(n: int, h: int, w: int) -> tuple[torch.Tensor, ...]:
    return torch.rand(n, 3, h, w), torch.rand(n, 3, h, w), torch.rand(n, 1, h, w), torch.rand(n, 4, h, w)


def test_generator_output_shapes_and_ranges_at_two_sizes():
    graph = MattingGraph(Generator(ngf=8)).eval()
    for h, w in ((64, 64), (48, 80)):
        alpha, fg = graph(*_inputs(2, h, w))
        assert alpha.shape == (2, 1, h, w) and fg.shape == (2, 3, h, w)
        assert 0 <= float(alpha.min()) and float(alpha.max()) <= 1
        assert 0 <= float(fg.min()) and float(fg.max()) <= 1


def test_paper_size_generator_has_the_published_parameter_count():
    assert abs(count_parameters(Generator(ngf=64)) - 17.9e6) < 0.1e6


def test_motion_selector_reads_motion_features_not_plate_features():
    g = Generator(ngf=4).eval()
    image, plate, prior, motion = _inputs(1, 32, 32)
    seen = {}
    g.select_motion.register_forward_hook(lambda m, inp, out: seen.update(x=inp[0]))
    g(image, plate, prior, motion)
    _, motion_feat = g.enc_motion(motion)
    assert torch.allclose(seen["x"][:, motion_feat.shape[1]:], motion_feat)


def test_discriminator_outputs_one_patch_map_per_scale():
    d = MultiscaleDiscriminator(ndf=8)
    outs = d(torch.rand(2, 3, 128, 128))
    assert len(outs) == 3
    sizes = [o.shape[-1] for o in outs]
    assert all(o.shape[:2] == (2, 1) for o in outs)
    assert sizes[0] > sizes[1] > sizes[2] > 0  # coarser scale, smaller map


def test_a_few_training_steps_reduce_the_loss_on_a_fixed_batch(procedural_synth):
    torch.manual_seed(0)
    graph = MattingGraph(Generator(ngf=8))
    batch = batch_of(procedural_synth, 4)
    opt = torch.optim.Adam(graph.parameters(), lr=1e-3)
    losses = []
    for _ in range(12):
        alpha, fg = graph(batch["image"], batch["plate"], batch["prior"], batch["motion"])
        terms = supervised_loss(alpha, fg, batch)
        opt.zero_grad()
        terms["total"].backward()
        opt.step()
        losses.append(float(terms["total"]))
    assert set(terms) == {"alpha_l1", "alpha_grad", "fg_l1", "compose", "total"}
    assert losses[-1] < 0.7 * losses[0]


def test_loss_is_zero_for_a_perfect_prediction(procedural_synth):
    batch = batch_of(procedural_synth, 2)
    noiseless = dict(batch, image=batch["alpha"] * batch["fg"] + (1 - batch["alpha"]) * batch["bg"])
    terms = supervised_loss(noiseless["alpha"], noiseless["fg"], noiseless)
    assert float(terms["total"]) < 1e-6
