"""Training side of bgmatte: the Background Matting network, synthetic data, training and ONNX export.

Nothing here is imported by the TypeScript product; the product reads only the exported .onnx files and
`models/contract.json`.
"""
