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
import pytest

from overwatch.errors import VideoError
from overwatch.video import OnnxDetector
from overwatch.video.onnx_detector import layout_of_shape, parse_names
from tests.video.onnx_models import (
    CANDIDATES,
    ULTRALYTICS_NAMES,
    build_model,
    padded,
    yolov5_model,
    yolov8_model,
)


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
    model = yolov5_model(tmp_path / "tiny.onnx")
    detector = OnnxDetector(model, class_names=("person", "vehicle"), score_threshold=0.3)
    assert (detector.layout, detector.class_count) == ("yolov5", 2)
    _check_letterboxed_detections(detector, ["vehicle", "person"])


def test_yolov8_layout_and_the_class_names_in_its_metadata(tmp_path: Path) -> None:
    model = yolov8_model(
        tmp_path / "v8.onnx", metadata={"names": ULTRALYTICS_NAMES, "author": "Ultralytics"}
    )
    detector = OnnxDetector(model, score_threshold=0.3)
    assert (detector.layout, detector.class_count) == ("yolov8", 3)
    assert detector.class_names == ("person", "bicycle", "car")
    _check_letterboxed_detections(detector, ["bicycle", "person"])
    assert "YOLOv8 layout, 3 classes (person, bicycle, car)" in detector.describe()


def test_names_given_by_the_caller_win_over_the_metadata(tmp_path: Path) -> None:
    model = yolov8_model(tmp_path / "v8.onnx", metadata={"names": ULTRALYTICS_NAMES})
    detector = OnnxDetector(model, class_names=("a", "b", "c"), score_threshold=0.3)
    assert [d.label for d in detector.detect(np.full((480, 640, 3), 255, np.uint8))] == ["b", "a"]


def test_a_dynamic_output_shape_is_found_by_a_trial_run(tmp_path: Path) -> None:
    model = yolov8_model(
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
    rows = padded(CANDIDATES, 300).T.copy()
    mask = np.zeros_like(rows)
    mask[4] = 1.0
    model = build_model(tmp_path / "v5t.onnx", rows, mask, metadata={"names": "['p', 'v']"})
    detector = OnnxDetector(model, score_threshold=0.3)
    assert (detector.layout, detector.class_count) == ("yolov5", 2)
    _check_letterboxed_detections(detector, ["v", "p"])


def test_a_dark_frame_gives_no_detections(tmp_path: Path) -> None:
    for model in (yolov5_model(tmp_path / "v5.onnx"), yolov8_model(tmp_path / "v8.onnx")):
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
    narrow = yolov5_model(tmp_path / "narrow.onnx", CANDIDATES[:, :5])
    with pytest.raises(VideoError, match=r"neither YOLOv5's 1×N×\(5\+C\) nor YOLOv8's"):
        OnnxDetector(narrow)  # at load, not on the first frame
    dyn = yolov5_model(tmp_path / "dyn-narrow.onnx", CANDIDATES[:, :5], dynamic_output=True)
    with pytest.raises(VideoError, match="neither"):
        OnnxDetector(dyn)
    names = yolov8_model(tmp_path / "names.onnx", metadata={"names": "person, car"})
    with pytest.raises(VideoError, match="metadata 'names' is unreadable"):
        OnnxDetector(names)
