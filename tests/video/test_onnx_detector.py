"""The ONNX Runtime detector on a tiny YOLO-style model built here with the onnx package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from overwatch.errors import VideoError
from overwatch.video import OnnxDetector

# Three candidates in a 64×64 input: (cx, cy, w, h, objectness, p(class0), p(class1)).
CANDIDATES = np.array(
    [
        [32.0, 32.0, 16.0, 8.0, 1.0, 0.1, 0.9],  # class 1 in the middle
        [33.0, 32.0, 16.0, 8.0, 0.9, 0.1, 0.9],  # its near duplicate: NMS removes it
        [10.0, 20.0, 4.0, 4.0, 1.0, 0.8, 0.2],  # class 0 top-left
    ],
    dtype=np.float32,
)


def _build_model(path: Path, candidates: np.ndarray) -> Path:
    """Output = candidates with objectness scaled by the image's mean brightness."""
    scale = np.ones_like(candidates)[None]
    scale_mask = np.zeros_like(scale)
    scale_mask[..., 4] = 1.0
    nodes = [
        helper.make_node("ReduceMean", ["image"], ["mean"], keepdims=0),
        helper.make_node("Reshape", ["mean", "one_shape"], ["mean_b"]),
        helper.make_node("Mul", ["mask", "mean_b"], ["obj_scale"]),
        helper.make_node("Sub", ["ones", "mask"], ["keep"]),
        helper.make_node("Add", ["keep", "obj_scale"], ["factor"]),
        helper.make_node("Mul", ["boxes", "factor"], ["detections"]),
    ]
    inits = [
        helper.make_tensor("boxes", TensorProto.FLOAT, scale.shape, candidates[None].ravel()),
        helper.make_tensor("mask", TensorProto.FLOAT, scale.shape, scale_mask.ravel()),
        helper.make_tensor("ones", TensorProto.FLOAT, scale.shape, scale.ravel()),
        helper.make_tensor("one_shape", TensorProto.INT64, [3], [1, 1, 1]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny_yolo",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 64, 64])],
        [helper.make_tensor_value_info("detections", TensorProto.FLOAT, [1, 3, 7])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def test_boxes_are_scored_suppressed_and_mapped_back_to_the_frame(tmp_path: Path) -> None:
    model = _build_model(tmp_path / "tiny.onnx", CANDIDATES)
    detector = OnnxDetector(model, class_names=("person", "vehicle"), score_threshold=0.3)
    white = np.full((480, 640, 3), 255, np.uint8)
    detections = detector.detect(white)
    assert [d.label for d in detections] == ["vehicle", "person"]
    vehicle, person = detections
    # 640×480 letterboxed into 64×64: scale 0.1, 8 px of padding above and below.
    # Objectness is the input's mean: 48 white rows and 16 rows of grey (114) padding.
    mean = (48 + 16 * 114 / 255) / 64
    assert vehicle.score == pytest.approx(0.9 * mean, abs=0.01)
    assert (vehicle.box.x0, vehicle.box.y0) == pytest.approx((240.0, 200.0), abs=1.0)
    assert (vehicle.box.x1, vehicle.box.y1) == pytest.approx((400.0, 280.0), abs=1.0)
    assert person.box.centre == pytest.approx((100.0, 120.0), abs=1.0)


def test_a_dark_frame_gives_no_detections(tmp_path: Path) -> None:
    detector = OnnxDetector(_build_model(tmp_path / "tiny.onnx", CANDIDATES))
    assert detector.detect(np.zeros((480, 640, 3), np.uint8)) == []


def test_bad_models_are_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="no such file"):
        OnnxDetector(tmp_path / "absent.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(VideoError, match="cannot be loaded"):
        OnnxDetector(junk)
    narrow = _build_model(tmp_path / "narrow.onnx", CANDIDATES[:, :5])
    with pytest.raises(VideoError, match=r"N×\(4\+1\+C\)"):
        OnnxDetector(narrow).detect(np.full((48, 64, 3), 255, np.uint8))
