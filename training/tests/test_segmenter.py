import numpy as np
import onnxruntime as ort
import pytest

from bgmatte_train.paths import MODELS_DIR, REPO_ROOT
from bgmatte_train.segmenter.convert import convert
from bgmatte_train.segmenter.tflite_reader import read_tflite

TFLITE = REPO_ROOT / "node_modules" / "@mediapipe" / "selfie_segmentation" / "selfie_segmentation.tflite"
needs_tflite = pytest.mark.skipif(not TFLITE.exists(), reason="npm devDependency @mediapipe/selfie_segmentation not installed")


@needs_tflite
def test_reader_sees_the_whole_network():
    g = read_tflite(str(TFLITE))
    assert [g.tensors[i].shape for i in g.inputs] == [[1, 256, 256, 3]]
    assert [g.tensors[i].shape for i in g.outputs] == [[1, 256, 256, 1]]
    assert len(g.operators) == 246
    assert any(op.custom == "Convolution2DTransposeBias" for op in g.operators)


@needs_tflite
def test_conversion_reproduces_the_shipped_segmenter(tmp_path):
    """The committed models/person-segmenter.onnx is exactly what the converter makes from the npm package."""
    out = tmp_path / "seg.onnx"
    convert(TFLITE, out)
    x = np.random.default_rng(0).random((1, 3, 256, 256), dtype=np.float32)
    ours = ort.InferenceSession(str(out)).run(None, {"image": x})[0]
    shipped = ort.InferenceSession(str(MODELS_DIR / "person-segmenter.onnx")).run(None, {"image": x})[0]
    assert ours.shape == (1, 1, 256, 256)
    assert np.abs(ours - shipped).max() <= 1e-6
    assert 0 <= ours.min() and ours.max() <= 1


def test_shipped_segmenter_runs_at_any_side_that_is_a_multiple_of_32():
    """The product runs it at 160 for a live frame (src/prior/person.ts): the graph has no fixed size inside."""
    s = ort.InferenceSession(str(MODELS_DIR / "person-segmenter.onnx"))
    for side in (160, 192, 256):
        x = np.random.default_rng(side).random((1, 3, side, side), dtype=np.float32)
        assert s.run(None, {"image": x})[0].shape == (1, 1, side, side)


def test_shipped_segmenter_sees_no_person_in_a_flat_wall():
    """(The real person photo is checked on the TypeScript side, test/person-prior.test.ts.)"""
    s = ort.InferenceSession(str(MODELS_DIR / "person-segmenter.onnx"))
    wall = np.full((1, 3, 256, 256), 0.6, np.float32)
    assert s.run(None, {"image": wall})[0].max() < 0.5
