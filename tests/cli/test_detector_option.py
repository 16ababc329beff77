"""``--detector PATH.onnx`` on run, ui and demo: a bad model stops the command with one line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from overwatch.cli import build_parser
from overwatch.commands.detector_option import detector_from
from overwatch.video import OnnxDetector
from tests.cli.test_cli import MISSIONS, overwatch
from tests.video.onnx_models import CANDIDATES, ULTRALYTICS_NAMES, yolov5_model, yolov8_model

MISSION = str(MISSIONS / "vehicle-patrol.yaml")
# nothing listens on port 9 (discard): these commands must stop before connecting anywhere
LIVE = ["--connect", "tcp:127.0.0.1:9", "--patrol", "nmea+udp://127.0.0.1:9"]


def _one_error_line(stderr: str, *needles: str) -> None:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    for needle in needles:
        assert needle in lines[0], stderr


@pytest.mark.parametrize(
    "command",
    [
        ["run", MISSION, *LIVE, "--video", "camera.sdp"],
        ["ui", MISSION, *LIVE, "--video", "camera.sdp"],
        ["demo", "--headless"],
    ],
    ids=["run", "ui", "demo"],
)
def test_a_missing_or_unreadable_model_exits_2(command: list[str], tmp_path: Path) -> None:
    missing = tmp_path / "yolov8n.onnx"
    result = overwatch(*command, "--detector", str(missing), cwd=tmp_path)
    assert result.returncode == 2
    _one_error_line(result.stderr, "--detector", str(missing), "no such file")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    result = overwatch(*command, "--detector", str(junk), cwd=tmp_path)
    assert result.returncode == 2
    _one_error_line(result.stderr, "--detector", str(junk), "cannot be loaded")
    assert not (tmp_path / "out").exists(), "the simulator or a run started all the same"


def test_a_model_in_neither_layout_exits_2(tmp_path: Path) -> None:
    narrow = yolov5_model(tmp_path / "narrow.onnx", CANDIDATES[:, :5])  # 1 × 3 × 5
    for command in (["run", MISSION, *LIVE, "--video", "camera.sdp"], ["demo", "--headless"]):
        result = overwatch(*command, "--detector", str(narrow), cwd=tmp_path)
        assert result.returncode == 2
        _one_error_line(result.stderr, "--detector", "neither YOLOv5", "nor YOLOv8")


def test_a_detector_needs_the_video(tmp_path: Path) -> None:
    model = yolov8_model(tmp_path / "v8.onnx")
    result = overwatch("run", MISSION, *LIVE, "--detector", str(model), cwd=tmp_path)
    assert result.returncode == 2
    _one_error_line(result.stderr, "--detector", "--video")
    result = overwatch("demo", "--video-fps", "0", "--detector", str(model), cwd=tmp_path)
    assert result.returncode == 2
    _one_error_line(result.stderr, "--detector", "--video-fps")


@pytest.mark.parametrize("name", ["run", "ui", "demo"])
def test_the_option_loads_a_yolov8_export_with_its_names(name: str, tmp_path: Path) -> None:
    model = yolov8_model(tmp_path / "v8.onnx", metadata={"names": ULTRALYTICS_NAMES})
    args: list[str] = [MISSION, *LIVE, "--video", "x.sdp"] if name != "demo" else []
    parsed: argparse.Namespace = build_parser().parse_args([name, *args, "--detector", str(model)])
    detector = detector_from(parsed)
    assert isinstance(detector, OnnxDetector)
    assert detector.layout == "yolov8"
    assert detector.class_names == ("person", "bicycle", "car")
