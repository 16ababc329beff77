"""The ONNX Runtime detector on tiny YOLO models built here with the onnx package.

Each model returns fixed candidate boxes whose scores are scaled by the
input's mean brightness (so a dark frame gives nothing), in the YOLOv5
layout (``1 × N × (5 + C)``, objectness) or the Ultralytics YOLOv8/v11
layout (``1 × (4 + C) × N``, no objectness), with class names stored in the
metadata the way Ultralytics exports them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper

from overwatch.errors import VideoError
from overwatch.video import OnnxDetector
from overwatch.video.onnx_detector import layout_of_shape, parse_names

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


def _padded(candidates: np.ndarray, count: int) -> np.ndarray:
    """``count`` rows: the candidates, then empty boxes (a real head emits thousands)."""
    out = np.zeros((count, candidates.shape[1]), np.float32)
    out[: len(candidates)] = candidates
    out[len(candidates) :, :4] = (5.0, 5.0, 2.0, 2.0)
    return out


def _yolov8_rows(candidates: np.ndarray, classes: int) -> np.ndarray:
    """YOLOv5 rows → YOLOv8 attribute-first columns: objectness folded into C class scores."""
    scores = candidates[:, 5:] * candidates[:, 4:5]
    wide = np.zeros((len(candidates), 4 + classes), np.float32)
    wide[:, :4] = candidates[:, :4]
    wide[:, 4 : 4 + scores.shape[1]] = scores
    return wide.T.copy()


def _build_model(
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


def _yolov5_model(path: Path, candidates: np.ndarray = CANDIDATES, **kw: object) -> Path:
    mask = np.zeros_like(candidates)
    mask[:, 4] = 1.0  # objectness
    return _build_model(path, candidates, mask, **kw)  # type: ignore[arg-type]


def _yolov8_model(path: Path, *, classes: int = 3, anchors: int = 300, **kw: object) -> Path:
    rows = _yolov8_rows(_padded(CANDIDATES, anchors), classes)
    mask = np.zeros_like(rows)
    mask[4:] = 1.0  # every class score
    return _build_model(path, rows, mask, **kw)  # type: ignore[arg-type]


def _check_letterboxed_detections(detector: OnnxDetector, labels: list[str]) -> None:
    white = np.full((480, 640, 3), 255, np.uint8)
    detections = detector.detect(white)
    assert [d.label for d in detections] == labels
    first, second = detections
    # 640×480 letterboxed into 64×64: scale 0.1, 8 px of padding above and below.
    # The score is the input's mean: 48 white rows and 16 rows of grey (114) padding.
    mean = (48 + 16 * 114 / 255) / 64
    assert first.score == pytest.approx(0.9 * mean, abs=0.01)
    assert (first.box.x0, first.box.y0) == pytest.approx((240.0, 200.0), abs=1.0)
    assert (first.box.x1, first.box.y1) == pytest.approx((400.0, 280.0), abs=1.0)
    assert second.box.centre == pytest.approx((100.0, 120.0), abs=1.0)


def test_yolov5_boxes_are_scored_suppressed_and_mapped_back_to_the_frame(tmp_path: Path) -> None:
    model = _yolov5_model(tmp_path / "tiny.onnx")
    detector = OnnxDetector(model, class_names=("person", "vehicle"), score_threshold=0.3)
    assert (detector.layout, detector.class_count) == ("yolov5", 2)
    _check_letterboxed_detections(detector, ["vehicle", "person"])


def test_yolov8_layout_and_the_class_names_in_its_metadata(tmp_path: Path) -> None:
    model = _yolov8_model(
        tmp_path / "v8.onnx", metadata={"names": ULTRALYTICS_NAMES, "author": "Ultralytics"}
    )
    detector = OnnxDetector(model, score_threshold=0.3)
    assert (detector.layout, detector.class_count) == ("yolov8", 3)
    assert detector.class_names == ("person", "bicycle", "car")
    _check_letterboxed_detections(detector, ["bicycle", "person"])
    assert "YOLOv8 layout, 3 classes (person, bicycle, car)" in detector.describe()


def test_names_given_by_the_caller_win_over_the_metadata(tmp_path: Path) -> None:
    model = _yolov8_model(tmp_path / "v8.onnx", metadata={"names": ULTRALYTICS_NAMES})
    detector = OnnxDetector(model, class_names=("a", "b", "c"), score_threshold=0.3)
    assert [d.label for d in detector.detect(np.full((480, 640, 3), 255, np.uint8))] == ["b", "a"]


def test_a_dynamic_output_shape_is_found_by_a_trial_run(tmp_path: Path) -> None:
    model = _yolov8_model(
        tmp_path / "dyn.onnx",
        dynamic_output=True,
        input_shape=[1, 3, "height", "width"],
        metadata={"names": ULTRALYTICS_NAMES, "imgsz": "[64, 64]"},
    )
    detector = OnnxDetector(model, score_threshold=0.3)
    assert detector.input_size_px == (64, 64)  # from imgsz, not the default 640
    assert (detector.layout, detector.class_count) == ("yolov8", 3)
    _check_letterboxed_detections(detector, ["bicycle", "person"])


def test_the_class_count_in_the_names_settles_a_transposed_yolov5(tmp_path: Path) -> None:
    # 1 × 7 × 300: by shape alone YOLOv8 with 3 classes; two names make it YOLOv5 (5 + 2)
    rows = _padded(CANDIDATES, 300).T.copy()
    mask = np.zeros_like(rows)
    mask[4] = 1.0
    model = _build_model(tmp_path / "v5t.onnx", rows, mask, metadata={"names": "['p', 'v']"})
    detector = OnnxDetector(model, score_threshold=0.3)
    assert (detector.layout, detector.class_count) == ("yolov5", 2)
    _check_letterboxed_detections(detector, ["v", "p"])


def test_a_dark_frame_gives_no_detections(tmp_path: Path) -> None:
    for model in (_yolov5_model(tmp_path / "v5.onnx"), _yolov8_model(tmp_path / "v8.onnx")):
        assert OnnxDetector(model).detect(np.zeros((480, 640, 3), np.uint8)) == []


def test_layouts_from_shapes() -> None:
    assert layout_of_shape((1, 84, 8400)) == ("yolov8", 80)
    assert layout_of_shape((1, 25200, 85)) == ("yolov5", 80)
    assert layout_of_shape((1, 15, 21504), class_count=11) == ("yolov8", 11)
    assert layout_of_shape((1, 85, 8400), class_count=80) == ("yolov5", 80)
    assert layout_of_shape((1, 8400, 84), class_count=80) == ("yolov8", 80)
    assert layout_of_shape((1, 3, 5)) is None  # 3 candidates of 5: too few attributes
    assert layout_of_shape((2, 84, 8400)) is None  # a batch of two
    assert layout_of_shape((1, 1, 84, 8400)) is None


def test_names_from_metadata() -> None:
    assert parse_names("{0: 'person', 1: 'car'}") == ("person", "car")
    assert parse_names("['a', 'b']") == ("a", "b")
    assert parse_names("{1: 'car'}") == ("class0", "car")
    for bad in ("person, car", "{'a': 1}", "42", "__import__('os')"):
        with pytest.raises(ValueError):
            parse_names(bad)


def test_bad_models_are_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match="no such file"):
        OnnxDetector(tmp_path / "absent.onnx")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(VideoError, match="cannot be loaded"):
        OnnxDetector(junk)
    narrow = _yolov5_model(tmp_path / "narrow.onnx", CANDIDATES[:, :5])
    with pytest.raises(VideoError, match=r"neither YOLOv5's 1×N×\(5\+C\) nor YOLOv8's"):
        OnnxDetector(narrow)  # at load, not on the first frame
    dyn = _yolov5_model(tmp_path / "dyn-narrow.onnx", CANDIDATES[:, :5], dynamic_output=True)
    with pytest.raises(VideoError, match="neither"):
        OnnxDetector(dyn)
    names = _yolov8_model(tmp_path / "names.onnx", metadata={"names": "person, car"})
    with pytest.raises(VideoError, match="metadata 'names' is unreadable"):
        OnnxDetector(names)
