"""Convert MediaPipe's short-range face detector (BlazeFace, TFLite, Apache-2.0, shipped in the npm package
`@mediapipe/face_detection`) into an ONNX graph with its box decoding built in: the product reads faces, not anchors.

    python -m bgmatte_train.segmenter.face_detector \\
        --tflite ../node_modules/@mediapipe/face_detection/face_detection_short_range.tflite \\
        --out ../models/face-detector.onnx

The graph takes `image` (1 x 3 x 128 x 128, RGB in [0, 1], like the segmenter; the network's own [-1, 1] scaling is in
the graph) and returns `faces` (1 x 896 x 5): per anchor the face score (a probability) and its box centre x, y and
width, height as shares of the input's side. The anchors are MediaPipe's for this model (SsdAnchorsCalculator: input
128, strides 8, 16, 16, 16, offset 0.5, fixed size 1): 2 per cell of the 16 x 16 grid, then 6 per cell of the 8 x 8.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from onnx import TensorProto, helper

from .convert import _Builder, command_line, finish, save
from .tflite_reader import read_tflite

SIZE = 128
ANCHORS = ((8, 2), (16, 6))  # (stride, anchors per cell)


def anchor_centres() -> np.ndarray:
    """(896, 2): each anchor's centre x, y as shares of the input's side, in the network's output order."""
    centres = []
    for stride, per_cell in ANCHORS:
        cells = SIZE // stride
        for y in range(cells):
            for x in range(cells):
                centres += [((x + 0.5) / cells, (y + 0.5) / cells)] * per_cell
    return np.array(centres, np.float32)


class _FaceBuilder(_Builder):
    def convert(self):
        # [0, 1] in, [-1, 1] for the network (as MediaPipe feeds it).
        self.nodes.append(helper.make_node("Mul", ["image", self.init("two", np.array(2, np.float32))], ["image_x2"]))
        self.nodes.append(helper.make_node("Sub", ["image_x2", self.init("one", np.array(1, np.float32))],
                                           ["image_signed"]))
        self.translate_all("image_signed")
        regressors, classificators = (self.name(i) for i in self.g.outputs)
        n = len(anchor_centres())
        # Box: the first four regressors, in input pixels from the anchor's centre -> shares of the side.
        starts, ends, axes = (self.init(k, np.array(v, np.int64)) for k, v in
                              (("box_start", [0]), ("box_end", [4]), ("box_axis", [2])))
        self.nodes.append(helper.make_node("Slice", [regressors, starts, ends, axes], ["box_px"]))
        self.nodes.append(helper.make_node("Mul", ["box_px", self.init("per_px", np.array(1 / SIZE, np.float32))],
                                           ["box_share"]))
        offsets = np.concatenate([anchor_centres(), np.zeros((n, 2), np.float32)], 1)[None]
        self.inits.append(helper.make_tensor("anchor_offsets", TensorProto.FLOAT, offsets.shape, offsets.ravel()))
        self.nodes.append(helper.make_node("Add", ["box_share", "anchor_offsets"], ["boxes"]))
        # Score: MediaPipe clips the logit to ±100 before its sigmoid.
        lo, hi = self.init("clip_lo", np.array(-100, np.float32)), self.init("clip_hi", np.array(100, np.float32))
        self.nodes.append(helper.make_node("Clip", [classificators, lo, hi], ["logits"]))
        self.nodes.append(helper.make_node("Sigmoid", ["logits"], ["scores"]))
        self.nodes.append(helper.make_node("Concat", ["scores", "boxes"], ["faces"], axis=2))
        graph = helper.make_graph(
            self.nodes, "face_detector",
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, SIZE, SIZE])],
            [helper.make_tensor_value_info("faces", TensorProto.FLOAT, [1, n, 5])],
            self.inits)
        return finish(graph, "MediaPipe face detection (short range, BlazeFace, 128x128), Apache-2.0, converted from "
                      "@mediapipe/face_detection's face_detection_short_range.tflite, box decoding included")


def convert(tflite: Path, out: Path) -> None:
    save(_FaceBuilder(read_tflite(str(tflite))).convert(), out)


def main(argv: list[str] | None = None) -> None:
    command_line(convert, __doc__, argv)

if __name__ == "__main__":
    main()
