"""A detector running a YOLO ONNX model with ONNX Runtime (CPU).

The model takes one ``1 × 3 × H × W`` RGB image scaled to 0..1 (float32, or
float16 for half-precision exports) and returns one tensor of candidate
boxes in one of the two layouts YOLO exports use:

- **YOLOv5** (and YOLOX, YOLOv7): ``1 × N × (5 + C)`` — ``cx, cy, w, h`` in
  input pixels, an objectness score, then C class scores; a box's score is
  objectness × class score.
- **YOLOv8 / YOLO11** (Ultralytics, also YOLOv5u): ``1 × (4 + C) × N`` —
  ``cx, cy, w, h``, then C class scores, no objectness.

The layout is told apart from the shape: YOLO heads emit thousands of
candidates and a few dozen attributes, so candidates along the middle axis
are YOLOv5, along the last axis YOLOv8. When the class names are known the
attribute count settles it (``4 + C`` or ``5 + C``). Ultralytics stores the
names in the model's metadata (``names``: a Python dict literal such as
``{0: 'person', 1: 'bicycle', 2: 'car', …}``) and the input size for
dynamic-shape exports (``imgsz``); both are read from there unless given.

Frames are letterboxed to the input size (grey 114 padding, as Ultralytics
trains); boxes are mapped back to frame pixels and filtered by score and
per-class non-maximum suppression.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np
import numpy.typing as npt

from overwatch.camera import Box, Detection, RgbImage
from overwatch.errors import VideoError

Layout = Literal["yolov5", "yolov8"]
LAYOUTS: tuple[Layout, ...] = ("yolov5", "yolov8")


def parse_names(text: str) -> tuple[str, ...]:
    """Class names from an Ultralytics ``names`` metadata value.

    Accepts a dict literal (``{0: 'person', 1: 'car'}``; index order, gaps
    filled with ``class<i>``) or a list literal (``['person', 'car']``).

    >>> parse_names("{0: 'person', 2: 'car'}")
    ('person', 'class1', 'car')
    """
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        raise ValueError(f"not a dict or list literal: {text[:60]!r}") from None
    if isinstance(value, Mapping):
        if not all(isinstance(k, int) and k >= 0 for k in value):
            raise ValueError("the keys must be class indices 0, 1, …")
        size = max(value, default=-1) + 1
        return tuple(str(value.get(i, f"class{i}")) for i in range(size))
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    raise ValueError(f"not a dict or list literal: {text[:60]!r}")


def _parse_imgsz(text: str | None) -> tuple[int, int] | None:
    """``imgsz`` metadata (``[640, 640]``, height first, or ``640``) as ``(width, height)``."""
    if not text:
        return None
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    if isinstance(value, int) and value > 0:
        return value, value
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and v > 0 for v in value)
    ):
        return int(value[1]), int(value[0])
    return None


def layout_of_shape(
    shape: Sequence[int], class_count: int | None = None
) -> tuple[Layout, int] | None:
    """The layout of a ``1 × A × B`` (or ``A × B``) output and its class count; None: neither.

    >>> layout_of_shape((1, 84, 8400))
    ('yolov8', 80)
    >>> layout_of_shape((1, 25200, 85))
    ('yolov5', 80)
    >>> layout_of_shape((1, 84, 8400), class_count=79)  # 5 + 79 attributes: a transposed v5
    ('yolov5', 79)
    """
    dims = tuple(shape)
    if len(dims) == 3 and dims[0] == 1:
        dims = dims[1:]
    if len(dims) != 2 or min(dims) < 1:
        return None
    rows, cols = dims
    # by shape: many candidates and few attributes; the other reading when that one cannot be
    by_shape: list[tuple[Layout, int]] = (
        [("yolov8", rows - 4), ("yolov5", cols - 5)]
        if cols > rows
        else [("yolov5", cols - 5), ("yolov8", rows - 4)]
    )
    if class_count is not None:
        named = [r for r in by_shape if r[1] == class_count]
        if rows == 5 + class_count and cols != 5 + class_count:
            named.append(("yolov5", class_count))  # a YOLOv5 head exported attribute-first
        if cols == 4 + class_count and rows != 4 + class_count:
            named.append(("yolov8", class_count))  # a YOLOv8 head exported candidate-first
        if named:
            return named[0]
    valid = [r for r in by_shape if r[1] >= 1]
    return valid[0] if valid else None


def _static(shape: Sequence[Any]) -> tuple[int, ...] | None:
    return tuple(shape) if all(isinstance(d, int) and d > 0 for d in shape) else None


class OnnxDetector:
    """YOLO ONNX detector; ``class_names[i]`` labels class ``i``.

    Names come from ``class_names``, else the model's ``names`` metadata, else
    ``class<i>``. ``layout`` forces ``"yolov5"`` or ``"yolov8"`` when the shape
    cannot tell (by default it is found when the model is loaded, with a
    trial run on a blank image if the output shape is dynamic). A missing
    file, a model ONNX Runtime cannot load, or one whose output is in
    neither layout raises :class:`~overwatch.errors.VideoError` here, not
    on the first frame.
    """

    def __init__(
        self,
        model_path: Path,
        *,
        class_names: Sequence[str] = (),
        score_threshold: float = 0.25,
        iou_threshold: float = 0.45,
        input_size_px: tuple[int, int] | None = None,
        layout: Layout | None = None,
        threads: int = 1,
    ) -> None:
        import onnxruntime as ort

        self.model_path = model_path
        if not model_path.is_file():
            raise VideoError(f"ONNX model {str(model_path)!r}: no such file")
        if layout is not None and layout not in LAYOUTS:
            raise VideoError(f"ONNX layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # ONNX Runtime's warnings go to stderr, over the UI
        try:
            self._session = ort.InferenceSession(
                str(model_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise VideoError(f"ONNX model {str(model_path)!r} cannot be loaded: {exc}") from exc
        inputs = self._session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise VideoError(
                f"ONNX model {str(model_path)!r}: expected one 1×3×H×W image input, "
                f"found {[(i.name, i.shape) for i in inputs]}"
            )
        self._input_name = inputs[0].name
        self._input_dtype = np.float16 if inputs[0].type == "tensor(float16)" else np.float32
        self.metadata: dict[str, str] = dict(self._session.get_modelmeta().custom_metadata_map)
        shape = inputs[0].shape
        default_w, default_h = (
            input_size_px
            or _parse_imgsz(self.metadata.get("imgsz"))
            or (
                640,
                640,
            )
        )
        h = shape[2] if isinstance(shape[2], int) and shape[2] > 0 else default_h
        w = shape[3] if isinstance(shape[3], int) and shape[3] > 0 else default_w
        self.input_size_px = (int(w), int(h))
        if class_names:
            self.class_names = tuple(class_names)
        elif "names" in self.metadata:
            try:
                self.class_names = parse_names(self.metadata["names"])
            except ValueError as exc:
                raise VideoError(
                    f"ONNX model {str(model_path)!r}: metadata 'names' is unreadable: {exc}"
                ) from None
        else:
            self.class_names = ()
        self.score_threshold = score_threshold
        self.iou_threshold = iou_threshold
        self.layout, self.class_count = self._find_layout(layout)

    def __repr__(self) -> str:
        return (
            f"OnnxDetector({self.model_path.name}: {self.layout}, {self.class_count} classes, "
            f"input {self.input_size_px[0]}×{self.input_size_px[1]})"
        )

    def describe(self) -> str:
        """One line for people: ``yolov8n.onnx: YOLOv8 layout, 80 classes (person, …), 640×640``."""
        names = ", ".join(self.class_names[:3]) + (", …" if len(self.class_names) > 3 else "")
        kind = "YOLOv8" if self.layout == "yolov8" else "YOLOv5"
        listed = f" ({names})" if names else ""
        w, h = self.input_size_px
        return f"{self.model_path.name}: {kind} layout, {self.class_count} classes{listed}, {w}×{h}"

    # -- layout -------------------------------------------------------------------------

    def _find_layout(self, forced: Layout | None) -> tuple[Layout, int]:
        shape = _static(self._session.get_outputs()[0].shape)
        if shape is None:  # a dynamic output: look at what the model really returns
            w, h = self.input_size_px
            blank = np.full((1, 3, h, w), 114 / 255, dtype=self._input_dtype)
            try:
                (output, *_) = self._session.run(None, {self._input_name: blank})
            except Exception as exc:  # onnxruntime raises its own untyped errors
                raise VideoError(
                    f"ONNX model {str(self.model_path)!r} fails on a {w}×{h} image: {exc}"
                ) from exc
            shape = tuple(np.shape(output))
        return self._layout_of(shape, forced)

    def _layout_of(self, shape: Sequence[int], forced: Layout | None) -> tuple[Layout, int]:
        names = len(self.class_names) or None
        found = layout_of_shape(shape, names)
        dims = tuple(shape)
        if forced is not None and len(dims) in (2, 3) and (len(dims) == 2 or dims[0] == 1):
            count = min(dims[-2:]) - (5 if forced == "yolov5" else 4)
            found = (forced, count) if count >= 1 else None
        if found is None:
            raise VideoError(
                f"ONNX model {str(self.model_path)!r}: output shape {tuple(shape)} is neither "
                "YOLOv5's 1×N×(5+C) nor YOLOv8's 1×(4+C)×N boxes (C ≥ 1 classes)"
            )
        return found

    def _candidates(self, output: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
        """``N × (4 + C)`` rows: box, then class scores (objectness already multiplied in)."""
        arr = np.asarray(output, dtype=np.float32)
        if arr.ndim == 3 and arr.shape[0] == 1:
            arr = arr[0]
        layout, count = self.layout, self.class_count
        if self.layout == "yolov8":
            if arr.ndim == 2 and arr.shape[1] == 4 + count and arr.shape[0] != 4 + count:
                return arr  # exported candidate-first
            if arr.ndim != 2 or arr.shape[0] != 4 + count:
                raise VideoError(
                    f"ONNX model {str(self.model_path)!r}: output shape {output.shape} changed "
                    f"from the YOLOv8 layout 1×{4 + count}×N found at load"
                )
            return np.ascontiguousarray(arr.T)
        if arr.ndim == 2 and arr.shape[1] != 5 + count and arr.shape[0] == 5 + count:
            arr = arr.T  # a YOLOv5 head exported attribute-first
        if arr.ndim != 2 or arr.shape[1] != 5 + count:
            raise VideoError(
                f"ONNX model {str(self.model_path)!r}: output shape {output.shape} changed "
                f"from the {layout} layout 1×N×{5 + count} found at load"
            )
        return np.concatenate([arr[:, :4], arr[:, 5:] * arr[:, 4:5]], axis=1)

    # -- detection ------------------------------------------------------------------------

    def _letterbox(self, rgb: RgbImage) -> tuple[npt.NDArray[Any], float, float, float]:
        in_w, in_h = self.input_size_px
        h, w = rgb.shape[:2]
        scale = min(in_w / w, in_h / h)
        new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
        pad_x, pad_y = (in_w - new_w) / 2.0, (in_h - new_h) / 2.0
        canvas = np.full((in_h, in_w, 3), 114, dtype=np.uint8)
        x0, y0 = int(pad_x), int(pad_y)
        canvas[y0 : y0 + new_h, x0 : x0 + new_w] = cv2.resize(
            rgb, (new_w, new_h), interpolation=cv2.INTER_LINEAR
        )
        tensor = canvas.transpose(2, 0, 1)[None].astype(np.float32) / 255.0
        return tensor.astype(self._input_dtype, copy=False), scale, float(x0), float(y0)

    def label_of(self, cls: int) -> str:
        """The name of class ``cls`` (``class<cls>`` when the model names none)."""
        return self.class_names[cls] if cls < len(self.class_names) else f"class{cls}"

    def detect(self, rgb: RgbImage) -> list[Detection]:
        tensor, scale, pad_x, pad_y = self._letterbox(rgb)
        (output, *_) = self._session.run(None, {self._input_name: tensor})
        cand = self._candidates(output)
        class_scores = cand[:, 4:]
        classes = class_scores.argmax(axis=1)
        scores = class_scores[np.arange(len(cand)), classes]
        keep = scores >= self.score_threshold
        if not keep.any():
            return []
        cand, classes, scores = cand[keep], classes[keep], scores[keep]
        h, w = rgb.shape[:2]
        x0 = np.clip((cand[:, 0] - cand[:, 2] / 2 - pad_x) / scale, 0, w)
        y0 = np.clip((cand[:, 1] - cand[:, 3] / 2 - pad_y) / scale, 0, h)
        x1 = np.clip((cand[:, 0] + cand[:, 2] / 2 - pad_x) / scale, 0, w)
        y1 = np.clip((cand[:, 1] + cand[:, 3] / 2 - pad_y) / scale, 0, h)
        rects = [
            [float(a), float(b), float(c - a), float(d - b)]
            for a, b, c, d in zip(x0, y0, x1, y1, strict=True)
        ]
        kept = cv2.dnn.NMSBoxesBatched(
            rects, scores.tolist(), classes.tolist(), self.score_threshold, self.iou_threshold
        )
        detections = []
        for i in np.asarray(kept, dtype=int).reshape(-1):
            box = Box(float(x0[i]), float(y0[i]), float(x1[i]), float(y1[i]))
            detections.append(Detection(box, self.label_of(int(classes[i])), float(scores[i])))
        detections.sort(key=lambda d: -d.score)
        return detections


def load_detector(path: Path, *, option: str = "--detector") -> OnnxDetector:
    """The detector a command's ``--detector PATH.onnx`` names; its errors name the option."""
    try:
        return OnnxDetector(path)
    except VideoError as exc:
        raise VideoError(f"{option}: {exc}") from None
