"""Convert MediaPipe's selfie segmentation model (TFLite, Apache-2.0, shipped in the npm package
`@mediapipe/selfie_segmentation`) into an ONNX graph that onnxruntime runs in Node and in the browser.

    python -m bgmatte_train.segmenter.convert \\
        --tflite ../node_modules/@mediapipe/selfie_segmentation/selfie_segmentation.tflite \\
        --out ../models/person-segmenter.onnx

The ONNX graph takes `image` (1 x 3 x H x W, RGB in [0, 1], NCHW like the matting contract; the model was trained at
256 x 256, and H and W may be any multiple of 32) and returns `person` (1 x 1 x H x W, probability in [0, 1]). The network is translated op by op (NHWC -> NCHW); weights are kept in
float16 storage as in the original.
"""
from __future__ import annotations

import argparse
import os
import struct
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from .tflite_reader import Graph, read_tflite

# BuiltinOperator codes (tensorflow/lite/schema/schema.fbs)
ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D, DEQUANTIZE, LOGISTIC, MAX_POOL_2D, MUL, RELU = (
    0, 1, 2, 3, 4, 6, 14, 17, 18, 19)
RESHAPE, RESIZE_BILINEAR, CUSTOM, PAD, HARD_SWISH = 22, 23, 32, 34, 117
_ACTIVATIONS = {0: None, 1: "Relu", 3: "Clip6"}


class _Builder:
    def __init__(self, graph: Graph) -> None:
        self.g = graph
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.names: dict[int, str] = {}
        self.consts: dict[int, np.ndarray] = {}
        for i, t in enumerate(graph.tensors):
            if t.data is not None:
                self.consts[i] = t.data

    def name(self, i: int) -> str:
        return self.names.setdefault(i, f"t{i}")

    def init(self, name: str, arr: np.ndarray) -> str:
        if arr.dtype == np.float32 and arr.size > 16:  # float16 storage, as the original
            self.inits.append(numpy_helper.from_array(arr.astype(np.float16), name + "_fp16"))
            self.nodes.append(helper.make_node("Cast", [name + "_fp16"], [name], to=TensorProto.FLOAT))
        else:
            self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def activation(self, out: str, act: int, final: str) -> None:
        kind = _ACTIVATIONS[act]
        if kind == "Relu":
            self.nodes.append(helper.make_node("Relu", [out], [final]))
        elif kind == "Clip6":
            lo, hi = self.init(final + "_lo", np.array(0, np.float32)), self.init(final + "_hi", np.array(6, np.float32))
            self.nodes.append(helper.make_node("Clip", [out, lo, hi], [final]))

    def emit(self, op_type: str, inputs: list[str], out_index: int, act: int = 0, **attrs) -> None:
        final = self.name(out_index)
        out = final + "_pre" if _ACTIVATIONS[act] else final
        self.nodes.append(helper.make_node(op_type, inputs, [out], **attrs))
        if _ACTIVATIONS[act]:
            self.activation(out, act, final)

    def channel_const(self, i: int) -> str:
        """A constant operand of an elementwise op, NHWC-broadcastable -> NCHW-broadcastable."""
        arr = self.consts[i].astype(np.float32)
        if arr.ndim == 4:
            arr = arr.transpose(0, 3, 1, 2)
        elif arr.ndim == 1 and arr.size > 1:
            arr = arr.reshape(1, -1, 1, 1)
        return self.init(f"c{i}", arr)

    def operand(self, i: int) -> str:
        return self.channel_const(i) if i in self.consts else self.name(i)

    def translate(self, op) -> None:
        """Appends the ONNX nodes of one TFLite operator."""
        g = self.g
        o = op.options
        ins, out = op.inputs, op.outputs[0]
        if op.code == DEQUANTIZE:  # float16 weights -> float32 constant
            self.consts[out] = self.consts[ins[0]].astype(np.float32)
        elif op.code in (CONV_2D, DEPTHWISE_CONV_2D):
            w = self.consts[ins[1]].astype(np.float32)
            depthwise = op.code == DEPTHWISE_CONV_2D
            # TFLite: conv [O, kh, kw, I]; depthwise [1, kh, kw, O]. ONNX: [O, I/group, kh, kw].
            w = w.transpose(3, 0, 1, 2) if depthwise else w.transpose(0, 3, 1, 2)
            stride = (o.scalar(2, "i", 1), o.scalar(1, "i", 1))
            dilation_fields = (6, 5) if depthwise else (5, 4)
            dilation = (o.scalar(dilation_fields[0], "i", 1), o.scalar(dilation_fields[1], "i", 1))
            act = o.scalar(4 if depthwise else 3, "b")
            pad = "SAME_UPPER" if o.scalar(0, "b") == 0 else "VALID"
            inputs = [self.name(ins[0]), self.init(f"w{out}", w)]
            if len(ins) > 2 and ins[2] >= 0:
                inputs.append(self.init(f"b{out}", self.consts[ins[2]].astype(np.float32)))
            self.emit("Conv", inputs, out, act, auto_pad=pad, strides=list(stride), dilations=list(dilation),
                      group=w.shape[0] if depthwise else 1, kernel_shape=list(w.shape[2:]))
        elif op.code == CUSTOM and op.custom == "Convolution2DTransposeBias":
            padding, stride_w, stride_h = struct.unpack_from("<3i", op.custom_options)
            w = self.consts[ins[1]].astype(np.float32).transpose(3, 0, 1, 2)  # [O,kh,kw,I] -> [I,O,kh,kw]
            bias = self.init(f"b{out}", self.consts[ins[2]].astype(np.float32))
            # TfLitePadding: 1 = SAME, 2 = VALID. SAME transposed conv: output = input * stride.
            self.emit("ConvTranspose", [self.name(ins[0]), self.init(f"w{out}", w), bias], out,
                      strides=[stride_h, stride_w], kernel_shape=list(w.shape[2:]),
                      auto_pad="SAME_UPPER" if padding == 1 else "VALID")
        elif op.code in (ADD, MUL):
            self.emit("Add" if op.code == ADD else "Mul", [self.operand(ins[0]), self.operand(ins[1])], out,
                      o.scalar(0, "b") if o else 0)
        elif op.code in (AVERAGE_POOL_2D, MAX_POOL_2D):
            kh, kw = o.scalar(4, "i"), o.scalar(3, "i")
            in_h, in_w = g.tensors[ins[0]].shape[1:3]
            if op.code == AVERAGE_POOL_2D and (kh, kw) == (in_h, in_w):
                self.emit("GlobalAveragePool", [self.name(ins[0])], out, o.scalar(5, "b"))
            else:
                self.emit("AveragePool" if op.code == AVERAGE_POOL_2D else "MaxPool", [self.name(ins[0])], out,
                          o.scalar(5, "b"), kernel_shape=[kh, kw],
                          strides=[o.scalar(2, "i", 1), o.scalar(1, "i", 1)],
                          auto_pad="SAME_UPPER" if o.scalar(0, "b") == 0 else "VALID")
        elif op.code == RESIZE_BILINEAR:
            # As a scale, not the TFLite graph's fixed size: the graph then runs at any side that is a multiple
            # of 32, and the product runs it at the image's own size (src/prior/person.ts).
            h, w_ = (int(v) for v in self.consts[ins[1]])
            in_h, in_w = g.tensors[ins[0]].shape[1:3]
            mode = ("align_corners" if o.scalar(2, "b") else "half_pixel" if o.scalar(3, "b") else "asymmetric")
            scales = self.init(f"s{out}", np.array([1, 1, h / in_h, w_ / in_w], np.float32))
            self.emit("Resize", [self.name(ins[0]), "", scales], out, mode="linear",
                      coordinate_transformation_mode=mode)
        elif op.code in (RELU, LOGISTIC, HARD_SWISH):
            kind = {RELU: "Relu", LOGISTIC: "Sigmoid", HARD_SWISH: "HardSwish"}[op.code]
            self.emit(kind, [self.name(ins[0])], out)
        elif op.code == PAD:
            p = self.consts[ins[1]].astype(np.int64)  # [[before, after]] per NHWC axis
            nchw = [0, 3, 1, 2]
            pads = [int(p[a, 0]) for a in nchw] + [int(p[a, 1]) for a in nchw]
            self.emit("Pad", [self.name(ins[0]), self.init(f"p{out}", np.array(pads, np.int64))], out)
        elif op.code == RESHAPE:
            # TFLite flattens NHWC: back to that order first.
            nhwc = self.name(out) + "_nhwc"
            self.nodes.append(helper.make_node("Transpose", [self.name(ins[0])], [nhwc], perm=[0, 2, 3, 1]))
            shape = self.init(f"r{out}", np.array(g.tensors[out].shape, np.int64))
            self.emit("Reshape", [nhwc, shape], out)
        elif op.code == CONCATENATION:
            self.emit("Concat", [self.name(i) for i in ins], out, o.scalar(1, "b"), axis=o.scalar(0, "i"))
        else:
            raise ValueError(f"unsupported TFLite operator {op.code} ({op.custom})")

    def translate_all(self, source: str = "image") -> None:
        """The whole TFLite graph, fed by the ONNX tensor `source`."""
        (inp,) = self.g.inputs
        self.nodes.append(helper.make_node("Identity", [source], [self.name(inp)]))
        for op in self.g.operators:
            self.translate(op)

    def convert(self) -> onnx.ModelProto:
        self.translate_all()
        (outp,) = self.g.outputs
        self.nodes.append(helper.make_node("Identity", [self.name(outp)], ["person"]))
        graph = helper.make_graph(
            self.nodes, "person_segmenter",
            [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, "H", "W"])],
            [helper.make_tensor_value_info("person", TensorProto.FLOAT, [1, 1, "H", "W"])],
            self.inits)
        return finish(graph, "MediaPipe selfie segmentation (general, 256x256), Apache-2.0, converted from "
                      "@mediapipe/selfie_segmentation's selfie_segmentation.tflite")


def finish(graph: onnx.GraphProto, doc: str) -> onnx.ModelProto:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                              producer_name="bgmatte_train.segmenter.convert", ir_version=8)
    model.doc_string = doc
    onnx.checker.check_model(model)
    return model


def save(model: onnx.ModelProto, out: Path) -> None:
    """Written under a temporary name, then renamed: an interrupted run leaves no half-written model."""
    tmp = out.with_suffix(".tmp.onnx")
    onnx.save(model, str(tmp))
    os.replace(tmp, out)


def convert(tflite: Path, out: Path) -> None:
    save(_Builder(read_tflite(str(tflite))).convert(), out)


def command_line(convert_one, doc: str, argv: list[str] | None = None) -> None:
    """`--tflite` in, `--out` written by `convert_one(tflite, out)`: the converters' shared command line."""
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tflite", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args(argv)
    convert_one(args.tflite, args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")


def main(argv: list[str] | None = None) -> None:
    command_line(convert, __doc__, argv)


if __name__ == "__main__":
    main()
