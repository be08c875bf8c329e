"""Reads models/contract.json, the one written statement of the ONNX input/output contract."""
from __future__ import annotations

import json
from pathlib import Path

from .paths import CONTRACT_PATH


def load_contract(path: Path = CONTRACT_PATH) -> dict:
    with open(path) as f:
        return json.load(f)


def channels(spec: dict) -> int:
    return int(spec["shape"][1])
