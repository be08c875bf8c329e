import numpy as np
import onnxruntime as ort
import pytest

from bgmatte_train.paths import MODELS_DIR, REPO_ROOT, SHARED_DATA
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


def converted_and_shipped(convert_one, tflite, shipped_name, side, tmp_path):
    """The outputs of a fresh conversion and of the committed model on the same random image."""
    out = tmp_path / shipped_name
    convert_one(tflite, out)
    x = np.random.default_rng(side).random((1, 3, side, side), dtype=np.float32)
    ours = ort.InferenceSession(str(out)).run(None, {"image": x})[0]
    shipped = ort.InferenceSession(str(MODELS_DIR / shipped_name)).run(None, {"image": x})[0]
    return ours, shipped


@needs_tflite
def test_conversion_reproduces_the_shipped_segmenter(tmp_path):
    """The committed models/person-segmenter.onnx is exactly what the converter makes from the npm package."""
    ours, shipped = converted_and_shipped(convert, TFLITE, "person-segmenter.onnx", 256, tmp_path)
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


FACE_TFLITE = REPO_ROOT / "node_modules" / "@mediapipe" / "face_detection" / "face_detection_short_range.tflite"
needs_face_tflite = pytest.mark.skipif(not FACE_TFLITE.exists(),
                                       reason="npm devDependency @mediapipe/face_detection not installed")


@needs_face_tflite
def test_face_detector_conversion_reproduces_the_shipped_detector(tmp_path):
    from bgmatte_train.segmenter.face_detector import convert as convert_faces
    ours, shipped = converted_and_shipped(convert_faces, FACE_TFLITE, "face-detector.onnx", 128, tmp_path)
    assert ours.shape == (1, 896, 5)
    assert np.abs(ours - shipped).max() <= 1e-6


def test_face_detector_anchors_follow_mediapipe_layout():
    from bgmatte_train.segmenter.face_detector import anchor_centres
    a = anchor_centres()
    assert a.shape == (896, 2)
    # 16 x 16 cells of 2 anchors first, then 8 x 8 cells of 6; centres at the cells' middles.
    assert np.allclose(a[0], [1 / 32, 1 / 32]) and np.allclose(a[1], a[0]) and np.allclose(a[2], [3 / 32, 1 / 32])
    assert np.allclose(a[512], [1 / 16, 1 / 16]) and np.allclose(a[517], a[512]) and np.allclose(a[-1], [15 / 16] * 2)


def _face_square(rgb: np.ndarray) -> np.ndarray:
    """An image letterboxed onto a black square and resized to 128 (nearest: enough for a test)."""
    h, w, _ = rgb.shape
    side = max(h, w)
    square = np.zeros((side, side, 3), np.float32)
    square[(side - h) // 2:(side - h) // 2 + h, (side - w) // 2:(side - w) // 2 + w] = rgb
    idx = (np.arange(128) + 0.5) * side / 128
    return square[idx.astype(int)][:, idx.astype(int)].transpose(2, 0, 1)[None]


def test_shipped_face_detector_finds_no_face_in_a_flat_wall_or_noise():
    s = ort.InferenceSession(str(MODELS_DIR / "face-detector.onnx"))
    for x in (np.full((1, 3, 128, 128), 0.6, np.float32),
              np.random.default_rng(2).random((1, 3, 128, 128), dtype=np.float32)):
        assert s.run(None, {"image": x})[0][0, :, 0].max() < 0.5


PERSON = SHARED_DATA / "person" / "0001_img.png"


@pytest.mark.skipif(not PERSON.exists(), reason="../shared/data not present")
def test_shipped_face_detector_finds_the_real_persons_face():
    from PIL import Image
    rgb = np.asarray(Image.open(PERSON).convert("RGB"), np.float32) / 255
    faces = ort.InferenceSession(str(MODELS_DIR / "face-detector.onnx")).run(None, {"image": _face_square(rgb)})[0][0]
    score, cx, cy, w, _ = faces[faces[:, 0].argmax()]
    side, top = 1920, (1920 - 1080) / 2
    assert score > 0.9
    # The face (hand-measured in the photo: centred near x 826, y 560, about 230 px wide).
    assert abs(cx * side - 826) < 40 and abs(cy * side - top - 560) < 60 and 180 < w * side < 320
