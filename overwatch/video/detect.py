"""Detectors: frames in, boxes out. The default finds compact high-contrast blobs.

:class:`BlobDetector` is classical CV for the desert scenes the overwatch
drone sees (and the synthetic camera renders): it estimates the local
background with a heavily smoothed copy of the frame, marks pixels whose
colour differs strongly from it, cleans the mask with morphology and keeps
connected components that are compact (not roads, not the horizon). It knows
nothing of scale, so its label is ``"unknown"``; the geolocator decides
person/vehicle/object from the metric size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np

from overwatch.camera import Box, Detection, RgbImage


class Detector(Protocol):
    """Anything that finds objects in an RGB frame (``H × W × 3`` uint8)."""

    def detect(self, rgb: RgbImage) -> list[Detection]: ...


@dataclass(frozen=True)
class BlobDetectorConfig:
    """Tuning of :class:`BlobDetector` (pixels, colour distances in 0..765).

    ``contrast_threshold``: summed |R|+|G|+|B| difference from the background
    that marks a pixel; ``min_area_px`` / ``min_side_px``: the smallest blob
    kept; ``max_side_fraction``: blobs larger than this fraction of the frame
    side are terrain, not targets; ``max_aspect``: longer/shorter side limit
    (roads and edges are long and thin); ``background_scale``: the background
    is estimated at 1/this resolution.
    """

    contrast_threshold: int = 110
    min_area_px: int = 12
    min_side_px: int = 3
    max_side_fraction: float = 0.25
    max_aspect: float = 6.0
    min_fill: float = 0.25
    background_scale: int = 8
    background_median_px: int = 5


class BlobDetector:
    """Finds compact objects that stand out in colour from the terrain around them."""

    def __init__(self, config: BlobDetectorConfig | None = None) -> None:
        self.config = config or BlobDetectorConfig()
        self._close = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
        self._open = cv2.getStructuringElement(cv2.MORPH_RECT, (2, 2))

    def background(self, rgb: RgbImage) -> RgbImage:
        """A smoothed estimate of the terrain without small objects."""
        cfg = self.config
        h, w = rgb.shape[:2]
        small = cv2.resize(
            rgb,
            (max(1, w // cfg.background_scale), max(1, h // cfg.background_scale)),
            interpolation=cv2.INTER_AREA,
        )
        small = cv2.medianBlur(small, cfg.background_median_px)
        return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR), np.uint8)

    def detect(self, rgb: RgbImage) -> list[Detection]:
        cfg = self.config
        h, w = rgb.shape[:2]
        diff = cv2.absdiff(rgb, self.background(rgb))
        contrast = diff.astype(np.uint16).sum(axis=2)
        mask = (contrast > cfg.contrast_threshold).astype(np.uint8)
        mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, self._open)
        mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, self._close)
        count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
        max_w, max_h = cfg.max_side_fraction * w, cfg.max_side_fraction * h
        detections = []
        for i in range(1, count):
            x, y, bw, bh, area = (int(v) for v in stats[i])
            if area < cfg.min_area_px or min(bw, bh) < cfg.min_side_px:
                continue
            if bw > max_w or bh > max_h:
                continue
            if max(bw, bh) / min(bw, bh) > cfg.max_aspect or area / (bw * bh) < cfg.min_fill:
                continue
            blob = contrast[y : y + bh, x : x + bw][labels[y : y + bh, x : x + bw] == i]
            strength = float(blob.mean()) / (3.0 * cfg.contrast_threshold)
            score = float(min(1.0, 0.5 + 0.5 * strength))
            detections.append(Detection(Box(x, y, x + bw, y + bh), "unknown", score))
        return detections
