"""A detector running a YOLO-style ONNX model with ONNX Runtime (CPU).

The model takes one ``1 × 3 × H × W`` float32 RGB image scaled to 0..1 and
returns one tensor of candidate boxes, ``1 × N × (4 + 1 + C)`` (or its
transpose ``1 × (4 + 1 + C) × N`` when N > 256, the layout of some exports):
``cx, cy, w, h`` in input pixels, an objectness score and C class scores.
Frames are letterboxed to the input size; boxes are mapped back to frame
pixels and filtered by score and non-maximum suppression.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from overwatch.errors import VideoError
from overwatch.video.types import Box, Detection, RgbImage

# A ``1 × K × N`` output is read as transposed when N exceeds this (YOLO heads emit thousands).
TRANSPOSED_MIN_N = 256


class OnnxDetector:
    """YOLO-style ONNX detector; ``class_names[i]`` labels class ``i`` (default ``class<i>``)."""

    def __init__(
        self,
        model_path: Path,
        *,
        class_names: Sequence[str] = (),
        score_threshold: float = 0.25,
        iou_threshold: float = 0.45,
        input_size_px: tuple[int, int] = (640, 640),
        threads: int = 1,
    ) -> None:
        import onnxruntime as ort

        if not model_path.is_file():
            raise VideoError(f"ONNX model {str(model_path)!r}: no such file")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
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
        shape = inputs[0].shape
        h = shape[2] if isinstance(shape[2], int) else input_size_px[1]
        w = shape[3] if isinstance(shape[3], int) else input_size_px[0]
        self.input_size_px = (int(w), int(h))
        self.model_path = model_path
        self.class_names = tuple(class_names)
        self.score_threshold = score_threshold
        self.iou_threshold = iou_threshold

    def _letterbox(self, rgb: RgbImage) -> tuple[npt.NDArray[np.float32], float, float, float]:
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
        return tensor, scale, float(x0), float(y0)

    def _candidates(self, output: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        arr = np.asarray(output, dtype=np.float32)
        if arr.ndim == 3 and arr.shape[0] == 1:
            arr = arr[0]
        if arr.ndim == 2 and arr.shape[0] < arr.shape[1] and arr.shape[1] > TRANSPOSED_MIN_N:
            arr = arr.T
        if arr.ndim != 2 or arr.shape[1] < 6:
            raise VideoError(
                f"ONNX model {str(self.model_path)!r}: output shape {output.shape} is not "
                "N×(4+1+C) boxes (expected 1×N×(5+C) with C ≥ 1)"
            )
        return arr

    def detect(self, rgb: RgbImage) -> list[Detection]:
        tensor, scale, pad_x, pad_y = self._letterbox(rgb)
        (output, *_) = self._session.run(None, {self._input_name: tensor})
        cand = self._candidates(output)
        class_scores = cand[:, 5:] * cand[:, 4:5]
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
            cls = int(classes[i])
            label = self.class_names[cls] if cls < len(self.class_names) else f"class{cls}"
            box = Box(float(x0[i]), float(y0[i]), float(x1[i]), float(y1[i]))
            detections.append(Detection(box, label, float(scores[i])))
        detections.sort(key=lambda d: -d.score)
        return detections
