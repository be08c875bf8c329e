"""The difference mask of training matches the product's, pixel for pixel, on the fixture both suites share."""
from pathlib import Path

import cv2
import numpy as np

from bgmatte_train.data.plate_difference import difference_mask, histogram_quantile

FIXTURE = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "plate-difference"


def _read(name: str) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(FIXTURE / f"{name}.png"), cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB).astype(np.float32) / 255


def test_difference_mask_matches_the_products_on_the_shared_fixture():
    mask = difference_mask(_read("image"), _read("plate"))
    expected = (_read("mask")[..., 0] > 0.5).astype(np.uint8)
    assert mask.shape == expected.shape
    assert int((mask != expected).sum()) == 0
    assert mask.sum() > 2000 and mask[11, 11] == 0  # the subject found, the speck dropped


def test_capped_threshold_finds_a_large_subject_over_a_grainy_plate_as_the_product_does():
    mask = difference_mask(_read("grainy-image"), _read("grainy-plate"), quiet_cap=True)
    expected = (_read("grainy-mask")[..., 0] > 0.5).astype(np.uint8)
    assert int((mask != expected).sum()) == 0
    subject = np.zeros_like(mask, dtype=bool)
    subject[25:, 40:216] = True
    assert mask[subject].mean() > 0.95
    assert difference_mask(_read("grainy-image"), _read("grainy-plate"))[subject].mean() < 0.5  # the plain rule


def test_histogram_quantile_is_the_products_to_one_bin():
    values = np.random.default_rng(0).random(10_001).astype(np.float32)
    assert abs(histogram_quantile(values, 0.5) - float(np.median(values))) <= 1 / 4096
    assert histogram_quantile(np.zeros(5), 0.5) == 0.5 / 4096
