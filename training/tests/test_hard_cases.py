"""The hard cases of the synthesiser: skin on a backdrop of its colour, large camouflage, thin structures."""
import cv2
import numpy as np

from bgmatte_train.data.hard_cases import (paint_large_camouflage, skin_on_backdrop, skin_tone, stems_and_leaves,
                                           grid)
from bgmatte_train.data.synth import Synthesiser, composite


def test_hard_cases_off_replay_the_original_stream():
    plain = Synthesiser([], [], size=64, seed=7)
    off = Synthesiser([], [], size=64, seed=7, skin_backdrop_fraction=0.0, large_camouflage_fraction=0.0,
                      thin_fraction=0.0)
    for i in range(3):
        assert np.array_equal(plain.sample(i).image, off.sample(i).image)
        assert np.array_equal(plain.sample(i).prior, off.sample(i).prior)


def test_skin_on_backdrop_hides_the_face_from_the_plate_difference_but_not_from_alpha():
    rng = np.random.default_rng(3)
    size = 128
    busy = np.random.default_rng(0).uniform(0, 1, (size, size, 3)).astype(np.float32)
    for k in range(6):
        alpha, fg, bg = skin_on_backdrop(size, np.random.default_rng(k), busy)
        assert alpha.shape == (size, size) and fg.shape == bg.shape == (size, size, 3)
        assert 0 <= alpha.min() and alpha.max() <= 1 and alpha.max() > 0.99
        # The head (the top of the subject) has about the colour of the backdrop right behind it.
        ys, xs = np.nonzero(alpha > 0.99)
        top = ys.min()
        head = (alpha > 0.99) & (np.arange(size)[:, None] < top + 0.25 * (ys.max() - top))
        head &= np.arange(size)[:, None] > top + 0.1 * (ys.max() - top)  # below the hair
        if head.sum() < 20:
            continue
        diff = np.abs(fg[head] - bg[head]).max(1)
        assert np.median(diff) < 0.25, np.median(diff)
    assert 0.3 < skin_tone(rng).mean() < 0.85


def test_large_camouflage_paints_a_large_part_of_the_solid_interior_only():
    size = 128
    alpha = np.zeros((size, size), np.float32)
    cv2.circle(alpha, (64, 64), 45, 1.0, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 1.5)
    fg = np.full((size, size, 3), (0.9, 0.8, 0.7), np.float32)
    bg = np.full((size, size, 3), (0.2, 0.3, 0.5), np.float32)
    shares = []
    for k in range(8):
        painted = paint_large_camouflage(alpha, fg, bg, np.random.default_rng(k), scale=0.5)
        changed = np.abs(painted - fg).max(2) > 0.05
        assert not changed[alpha < 0.97].any()  # never on the soft edge or outside
        shares.append(changed.sum() / (alpha > 0.97).sum())
        if changed.any():  # painted parts take the background's colour
            assert np.abs(painted[changed] - bg[changed]).max(1).min() < 0.1
    assert max(shares) > 0.15  # large, unlike the print-sized camouflage


def test_large_camouflage_samples_keep_the_matting_equation_and_take_s_from_alpha():
    synth = Synthesiser([], [], size=64, seed=7, large_camouflage_fraction=1.0, shot_noise=0.0,
                        trusted_prior_fraction=1.0)
    for i in range(4):
        s = synth.sample(i)
        assert np.median(np.abs(composite(s.alpha, s.fg, s.bg) - s.image)) < 2 / 255
        if s.info["foreground"] != "glass":
            assert s.info["prior"] == "alpha"


def test_camouflaged_objects_can_be_left_to_the_plate_difference_while_skin_keeps_a_trusted_s():
    synth = Synthesiser([], [], size=64, seed=7, large_camouflage_fraction=1.0, shot_noise=0.0,
                        trusted_prior_fraction=1.0, difference_prior_fraction=1.0, trust_camouflage_prior=False)
    priors = {synth.sample(i).info["prior"] for i in range(6)}
    assert priors == {"difference"}, priors
    skin = Synthesiser([], [], size=64, seed=7, skin_backdrop_fraction=1.0, shot_noise=0.0,
                       trusted_prior_fraction=1.0, difference_prior_fraction=1.0, trust_camouflage_prior=False)
    assert {skin.sample(i).info["prior"] for i in range(4)} == {"alpha"}


def test_thin_structures_leave_the_background_open_between_their_parts():
    for make in (stems_and_leaves, grid):
        for k in range(4):
            alpha = make(128, np.random.default_rng(k))
            assert alpha.shape == (128, 128) and 0 <= alpha.min() and alpha.max() <= 1
            ys, xs = np.nonzero(alpha > 0.1)
            box = alpha[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
            assert (box < 0.01).mean() > 0.3, make.__name__  # gaps: much of the box is background
            assert ((box > 0.05) & (box < 0.95)).any()  # thin parts carry fractional alpha


def test_thin_samples_are_drawn_when_asked():
    synth = Synthesiser([], [], size=64, seed=7, thin_fraction=1.0)
    kinds = {synth.sample(i).info["foreground"] for i in range(8)}
    assert kinds <= {"thin-stems", "thin-grid"} and kinds
