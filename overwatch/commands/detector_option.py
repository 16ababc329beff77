"""``--detector PATH.onnx`` for the commands that watch the drone's video (run, ui, demo)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from overwatch.video import Detector


def add_detector_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--detector",
        type=Path,
        metavar="PATH.onnx",
        default=None,
        help="a YOLO ONNX model (YOLOv5, or an Ultralytics YOLOv8/YOLO11 export such as "
        "yolov8n.onnx) to run on the video instead of the built-in blob detector",
    )


def detector_from(args: argparse.Namespace) -> Detector | None:
    """The ``--detector`` model, loaded and checked now: a bad one stops the command at once."""
    if args.detector is None:
        return None
    from overwatch.video.onnx_detector import load_detector

    return load_detector(args.detector)
