"""A minimal reader of TensorFlow Lite model files (FlatBuffers), enough to convert a small conv net.

Field numbers follow tensorflow/lite/schema/schema.fbs. Reading directly avoids installing TensorFlow (about 600 MB)
for a one-off conversion.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

# schema.fbs TensorType -> numpy
_DTYPES = {0: np.float32, 1: np.float16, 2: np.int32, 3: np.uint8, 4: np.int64, 9: np.int8}


class _Table:
    def __init__(self, buf: bytes, pos: int) -> None:
        self.buf, self.pos = buf, pos
        self.vtable = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vtable_len = struct.unpack_from("<H", buf, self.vtable)[0]

    def _field(self, index: int) -> int:
        o = 4 + 2 * index
        return struct.unpack_from("<H", self.buf, self.vtable + o)[0] if o < self.vtable_len else 0

    def scalar(self, index: int, fmt: str, default: int | float = 0):
        o = self._field(index)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + o)[0] if o else default

    def _vector(self, index: int) -> tuple[int, int]:
        o = self._field(index)
        if not o:
            return 0, 0
        p = self.pos + o
        p += struct.unpack_from("<I", self.buf, p)[0]
        return p + 4, struct.unpack_from("<I", self.buf, p)[0]

    def table(self, index: int) -> "_Table | None":
        o = self._field(index)
        if not o:
            return None
        p = self.pos + o
        return _Table(self.buf, p + struct.unpack_from("<I", self.buf, p)[0])

    def tables(self, index: int) -> list["_Table"]:
        p, n = self._vector(index)
        return [_Table(self.buf, p + 4 * i + struct.unpack_from("<I", self.buf, p + 4 * i)[0]) for i in range(n)]

    def ints(self, index: int) -> list[int]:
        p, n = self._vector(index)
        return list(struct.unpack_from(f"<{n}i", self.buf, p)) if n else []

    def raw(self, index: int) -> bytes:
        p, n = self._vector(index)
        return self.buf[p:p + n]

    def string(self, index: int) -> str | None:
        p, n = self._vector(index)
        return self.buf[p:p + n].decode() if p else None


@dataclass
class Tensor:
    name: str
    shape: list[int]
    dtype: type
    data: np.ndarray | None  # constant tensors only


@dataclass
class Operator:
    code: int  # BuiltinOperator
    custom: str | None
    inputs: list[int]
    outputs: list[int]
    options: _Table | None  # builtin options table (field numbers per options type)
    custom_options: bytes


@dataclass
class Graph:
    tensors: list[Tensor]
    operators: list[Operator]
    inputs: list[int]
    outputs: list[int]


def read_tflite(path: str) -> Graph:
    buf = open(path, "rb").read()
    model = _Table(buf, struct.unpack_from("<I", buf, 0)[0])
    codes = [(max(c.scalar(0, "b"), c.scalar(3, "i")), c.string(1)) for c in model.tables(1)]
    buffers = [b.raw(0) for b in model.tables(4)]
    sub = model.tables(2)[0]
    tensors = []
    for t in sub.tables(0):
        dtype = _DTYPES.get(t.scalar(1, "b"), np.float32)
        shape = t.ints(0)
        raw = buffers[t.scalar(2, "I")] if buffers else b""
        data = np.frombuffer(raw, dtype=dtype).reshape(shape) if raw else None
        tensors.append(Tensor(t.string(3) or "", shape, dtype, data))
    operators = []
    for op in sub.tables(3):
        code, custom = codes[op.scalar(0, "I")]
        operators.append(Operator(code, custom, op.ints(1), op.ints(2), op.table(4), op.raw(5)))
    return Graph(tensors, operators, sub.ints(1), sub.ints(2))
