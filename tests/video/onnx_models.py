"""Tiny YOLO ONNX models built with the onnx package, in the YOLOv5 and YOLOv8 layouts.

Each returns fixed candidate boxes whose scores are scaled by the input's
mean brightness (so a dark frame gives nothing); class names go into the
metadata as Ultralytics writes them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper

# Three candidates in a 64×64 input: (cx, cy, w, h, objectness, p(class0), p(class1)).
CANDIDATES = np.array(
    [
        [32.0, 32.0, 16.0, 8.0, 1.0, 0.1, 0.9],  # class 1 in the middle
        [33.0, 32.0, 16.0, 8.0, 0.9, 0.1, 0.9],  # its near duplicate: NMS removes it
        [10.0, 20.0, 4.0, 4.0, 1.0, 0.8, 0.2],  # class 0 top-left
    ],
    dtype=np.float32,
)
ULTRALYTICS_NAMES = "{0: 'person', 1: 'bicycle', 2: 'car'}"


def padded(candidates: np.ndarray, count: int) -> np.ndarray:
    """``count`` rows: the candidates, then empty boxes (a real head emits thousands)."""
    out = np.zeros((count, candidates.shape[1]), np.float32)
    out[: len(candidates)] = candidates
    out[len(candidates) :, :4] = (5.0, 5.0, 2.0, 2.0)
    return out


def yolov8_rows(candidates: np.ndarray, classes: int) -> np.ndarray:
    """YOLOv5 rows → YOLOv8 attribute-first columns: objectness folded into C class scores."""
    scores = candidates[:, 5:] * candidates[:, 4:5]
    wide = np.zeros((len(candidates), 4 + classes), np.float32)
    wide[:, :4] = candidates[:, :4]
    wide[:, 4 : 4 + scores.shape[1]] = scores
    return wide.T.copy()


def build_model(
    path: Path,
    output: np.ndarray,
    score_mask: np.ndarray,
    *,
    metadata: dict[str, str] | None = None,
    dynamic_output: bool = False,
    input_shape: list[int | str] | None = None,
) -> Path:
    """A model whose output is ``output`` with the ``score_mask`` cells × the image's mean."""
    out = output[None].astype(np.float32)
    mask = score_mask[None].astype(np.float32)
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["mean"], keepdims=0),
        helper.make_node("Reshape", ["mean", "one_shape"], ["mean_b"]),
        helper.make_node("Mul", ["mask", "mean_b"], ["scaled"]),
        helper.make_node("Sub", ["ones", "mask"], ["keep"]),
        helper.make_node("Add", ["keep", "scaled"], ["factor"]),
        helper.make_node("Mul", ["boxes", "factor"], ["detections"]),
    ]
    inits = [
        helper.make_tensor("boxes", TensorProto.FLOAT, out.shape, out.ravel()),
        helper.make_tensor("mask", TensorProto.FLOAT, out.shape, mask.ravel()),
        helper.make_tensor("ones", TensorProto.FLOAT, out.shape, np.ones_like(out).ravel()),
        helper.make_tensor("one_shape", TensorProto.INT64, [3], [1, 1, 1]),
    ]
    out_shape: list[int | str] = ["batch", "attrs", "anchors"] if dynamic_output else [*out.shape]
    graph = helper.make_graph(
        nodes,
        "tiny_yolo",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, input_shape or [1, 3, 64, 64])],
        [helper.make_tensor_value_info("detections", TensorProto.FLOAT, out_shape)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    for key, value in (metadata or {}).items():
        model.metadata_props.append(onnx.StringStringEntryProto(key=key, value=value))
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def yolov5_model(path: Path, candidates: np.ndarray = CANDIDATES, **kw: object) -> Path:
    mask = np.zeros_like(candidates)
    mask[:, 4] = 1.0  # objectness
    return build_model(path, candidates, mask, **kw)  # type: ignore[arg-type]


def yolov8_model(path: Path, *, classes: int = 3, anchors: int = 300, **kw: object) -> Path:
    rows = yolov8_rows(padded(CANDIDATES, anchors), classes)
    mask = np.zeros_like(rows)
    mask[4:] = 1.0  # every class score
    return build_model(path, rows, mask, **kw)  # type: ignore[arg-type]
