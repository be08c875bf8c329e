"""Training side of bgmatte: the Background Matting network, synthetic data, training and ONNX export.

Nothing here is imported by the TypeScript product; the product reads only the exported .onnx files and
`models/contract.json`.
"""
import os

# onnxruntime's Linux build otherwise leaves an empty /tmp/mat-debug-<pid>.log for its telemetry on the first session
# (export checks, quantisation, the tests); it reads the variable when its environment is created.
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
