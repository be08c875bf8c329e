import cv2
import numpy as np

from bgmatte_train.data.foreground import estimate_foreground
from bgmatte_train.data.synth import Synthesiser, composite, load_alphamatting


def test_same_seed_and_index_give_identical_samples(procedural_synth):
    a, b = procedural_synth.sample(3), procedural_synth.sample(3)
    for key in ("image", "plate", "prior", "motion", "alpha", "fg", "bg"):
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    other = Synthesiser([], [], size=64, seed=8).sample(3)
    assert not np.array_equal(a.image, other.image)


def test_clean_composite_obeys_the_matting_equation(procedural_synth):
    for i in range(6):
        _, _, alpha, fg, bg = procedural_synth.clean_sample(i)
        image = composite(alpha, fg, bg)
        quantised = np.round(image * 255) / 255
        assert np.abs(quantised - (alpha[..., None] * fg + (1 - alpha[..., None]) * bg)).max() <= 1 / 255
        assert 0 <= alpha.min() and alpha.max() <= 1 and 0 < alpha.mean() < 1


def test_shot_without_perturbation_is_the_composite_on_its_own_background(procedural_synth):
    s = procedural_synth.sample(1)
    # The only differences left are camera noise (a few levels) and rare blur: compare on a median.
    recon = composite(s.alpha, s.fg, s.bg)
    assert np.median(np.abs(recon - s.image)) < 4 / 255


def test_prior_is_a_blurred_eroded_dilated_version_of_the_hard_mask():
    synth = Synthesiser([], [], size=128, seed=1)
    alpha = np.zeros((128, 128), np.float32)
    cv2.circle(alpha, (64, 64), 30, 1.0, -1)
    prior = synth.simulate_prior(alpha, np.random.default_rng(0))
    assert prior.shape == alpha.shape and 0 <= prior.min() and prior.max() <= 1
    assert prior[64, 64] > 0.5  # the centre survives erosion (holes may dent it, but not to zero)
    assert prior[2, 2] < 0.01  # far away stays empty
    soft = (prior > 0.05) & (prior < 0.95)
    assert soft.sum() > 100  # blurred: a wide soft band, not a hard mask
    assert not np.array_equal(prior > 0.5, alpha > 0.5)  # eroded and dilated: not the mask itself


def test_motion_cues_have_four_channels_in_unit_range(procedural_synth):
    for i in range(6):
        s = procedural_synth.sample(i)
        assert s.motion.shape == (64, 64, 4)
        assert 0 <= s.motion.min() and s.motion.max() <= 1
        if s.info["still"]:
            assert np.array_equal(s.motion[..., 0], s.motion[..., 3])


def test_plate_is_perturbed_not_the_true_background(procedural_synth):
    diffs = [np.abs(procedural_synth.sample(i).plate - procedural_synth.sample(i).bg).mean() for i in range(6)]
    assert min(diffs) > 0


def test_estimated_foreground_reproduces_the_image_and_removes_background_bleed():
    rng = np.random.default_rng(0)
    h = w = 64
    yy, xx = np.mgrid[0:h, 0:w]
    # An opaque disc with a 12-px soft rim: pure foreground and pure background both lie near the rim.
    alpha = np.clip((22 - np.hypot(yy - 32, xx - 32)) / 12, 0, 1).astype(np.float32)
    fg_true = np.zeros((h, w, 3), np.float32) + [0.9, 0.2, 0.1]
    bg = np.zeros((h, w, 3), np.float32) + [0.1, 0.3, 0.9] + rng.normal(0, 0.01, (h, w, 3)).astype(np.float32)
    image = composite(alpha, fg_true, bg)
    fg = estimate_foreground(image, alpha)
    mid = (alpha > 0.3) & (alpha < 0.7)
    assert np.abs(fg[mid] - fg_true[mid]).mean() < np.abs(image[mid] - fg_true[mid]).mean() / 3


def test_real_foregrounds_load_with_estimated_colours(shared_data):
    fgs = load_alphamatting(shared_data / "alphamatting", names=["GT01"], max_side=200)
    assert len(fgs) == 1 and fgs[0].fg.shape[:2] == fgs[0].alpha.shape


def test_preview_command_writes_pngs_a_person_can_open(tmp_path, shared_data):
    from bgmatte_train import preview_samples

    preview_samples.main(["--n", "2", "--out", str(tmp_path), "--size", "64"])
    for name in ("image", "plate", "prior", "motion", "alpha", "fg", "sheet"):
        img = cv2.imread(str(tmp_path / f"0001_{name}.png"), cv2.IMREAD_UNCHANGED)
        assert img is not None and img.shape[0] == 64, name


def test_camouflage_paints_background_colour_inside_the_opaque_subject_only():
    synth = Synthesiser([], [], size=128, seed=1)
    alpha = np.zeros((128, 128), np.float32)
    cv2.circle(alpha, (64, 64), 40, 1.0, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), 2)
    fg = np.full((128, 128, 3), (0.9, 0.9, 0.9), np.float32)
    bg = np.full((128, 128, 3), (0.1, 0.2, 0.3), np.float32)
    painted = [synth.camouflage(alpha, fg, bg, np.random.default_rng(k)) for k in range(8)]
    changed = [np.abs(p - fg).max(2) > 0.05 for p in painted]
    assert sum(c.any() for c in changed) >= 6  # most draws paint something
    for p, c in zip(painted, changed):
        assert not c[alpha < 0.97].any()  # never on the soft edge or outside: alpha keeps its meaning
        assert c.mean() < 0.15  # small parts only: a see-through subject still looks see-through
        if c.any():  # the core of each painted part looks like the background (its rim blends into the subject)
            assert np.abs(p[c] - bg[c]).max(1).min() < 0.15


def test_camouflage_off_replays_the_original_stream_and_on_keeps_the_matting_equation():
    plain = Synthesiser([], [], size=64, seed=7)
    off = Synthesiser([], [], size=64, seed=7, camouflage_fraction=0.0)
    assert np.array_equal(plain.sample(2).image, off.sample(2).image)
    on = Synthesiser([], [], size=64, seed=7, camouflage_fraction=1.0, shot_noise=0.0)
    for i in range(4):
        s = on.sample(i)
        # The painted colours are part of F, so the shot is still the composite of (alpha, F) on its background.
        assert np.median(np.abs(composite(s.alpha, s.fg, s.bg) - s.image)) < 2 / 255


def test_glass_lets_the_refracted_background_through_and_keeps_the_matting_equation():
    plain = Synthesiser([], [], size=64, seed=7)
    assert np.array_equal(plain.sample(3).image, Synthesiser([], [], size=64, seed=7, glass_fraction=0.0).sample(3).image)
    on = Synthesiser([], [], size=128, seed=7, glass_fraction=1.0, shot_noise=0.0)
    for i in range(4):
        s = on.sample(i)
        assert s.info["foreground"] == "glass"
        # Mostly see-through: the body's alpha is low; the rim and highlights are what is opaque.
        assert np.median(s.alpha[s.alpha > 0.02]) < 0.45
        # The shot is the composite on the background seen through the glass (the plate is not refracted).
        assert np.median(np.abs(composite(s.alpha, s.fg, s.bg) - s.image)) < 2 / 255
    # Refraction: behind the glass the background is shifted (a striped wall shows it), beside it untouched.
    stripes = np.repeat(np.repeat((np.arange(128) // 4 % 2).astype(np.float32)[None, :, None], 128, 0), 3, 2)
    moved = []
    for k in range(4):
        alpha, _, seen = on.glass(stripes, np.random.default_rng(k))
        changed = np.abs(seen - stripes).max(2) > 0.2
        assert not changed[cv2.dilate((alpha > 0.02).astype(np.uint8), np.ones((15, 15), np.uint8)) == 0].any()
        moved.append(changed[alpha > 0.02].mean())
    assert max(moved) > 0.05


def test_thick_glass_blurs_what_it_shows_and_puts_its_dimming_in_the_matte():
    plain = Synthesiser([], [], size=128, seed=7, glass_fraction=1.0, shot_noise=0.0)
    thick = Synthesiser([], [], size=128, seed=7, glass_fraction=1.0, shot_noise=0.0, glass_optics=1.0)
    # Off by default: the stream of the shipped glass runs replays exactly.
    assert np.array_equal(plain.sample(2).image,
                          Synthesiser([], [], size=128, seed=7, glass_fraction=1.0, shot_noise=0.0,
                                      glass_optics=0.0).sample(2).image)
    rng = np.random.default_rng(0)
    wall = np.clip(rng.uniform(0.2, 0.8, (128, 128, 3)), 0, 1).astype(np.float32)  # fine texture
    rough_plain, rough_thick, more_alpha = [], [], []
    for k in range(6):
        a0, f0, seen0 = plain.glass(wall, np.random.default_rng(k))
        a1, f1, seen1 = thick.glass(wall, np.random.default_rng(k))
        body = a0 > 0.02
        lap = lambda x: np.abs(cv2.Laplacian(x.mean(2), cv2.CV_32F))[body].mean()
        rough_plain.append(lap(seen0))
        rough_thick.append(lap(seen1))
        more_alpha.append(bool((a1 >= a0 - 1e-6).all()))
        # Still the matting equation, with alpha and F in range.
        assert 0 <= a1.min() and a1.max() <= 1 and 0 <= f1.min() and f1.max() <= 1 + 1e-6
        # The same shot either way: thin glass over a dimmed background, or the effective matte over the seen one.
        transmitted = ((1 - a1) / np.maximum(1 - a0, 1e-6))[..., None]
        thin = a0[..., None] * f0 + (1 - a0[..., None]) * seen1 * transmitted
        assert np.allclose(composite(a1, f1, seen1), thin, atol=1e-4)
    assert np.mean(rough_thick) < 0.8 * np.mean(rough_plain)  # the texture behind the glass is softened
    assert all(more_alpha)  # dimming only ever adds cover


def test_small_subjects_sit_inside_the_frame_at_most_four_fifths_of_it_and_keep_the_matting_equation():
    plain = Synthesiser([], [], size=64, seed=7)
    off = Synthesiser([], [], size=64, seed=7, small_subject_fraction=0.0)
    assert np.array_equal(plain.sample(3).image, off.sample(3).image)
    small = Synthesiser([], [], size=64, seed=7, small_subject_fraction=1.0, shot_noise=0.0)
    on_bottom = 0
    for i in range(12):
        rng, name, alpha, _, _ = small.clean_sample(i)
        if name == "glass" or not (alpha > 0.02).any():
            continue
        ys, xs = np.nonzero(alpha > 0.02)
        assert ys.max() - ys.min() < 0.8 * 64 + 2 and xs.max() - xs.min() < 0.8 * 64 + 2, name
        on_bottom += ys.max() >= 60
        s = small.sample(i)
        assert np.median(np.abs(composite(s.alpha, s.fg, s.bg) - s.image)) < 2 / 255
    assert on_bottom > 0  # half of them stand on the frame's bottom edge
