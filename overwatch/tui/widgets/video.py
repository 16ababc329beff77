"""The latest camera frame, drawn with half-block pixels (``▀``: top colour on bottom colour)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from overwatch.ops.state import SessionSnapshot

Frame = npt.NDArray[np.uint8]


def fit_frame(frame: Frame, cols: int, rows: int) -> Frame:
    """Resample an (h, w, 3) RGB frame to fit ``cols`` × ``2·rows`` square pixels.

    Nearest neighbour, aspect kept; the result is at most ``(2·rows, cols, 3)``
    with an even number of rows.
    """
    height, width = frame.shape[:2]
    if height == 0 or width == 0 or cols <= 0 or rows <= 0:
        return np.zeros((0, 0, 3), dtype=np.uint8)
    scale = min(cols / width, 2 * rows / height)
    out_w = max(1, int(width * scale))
    out_h = max(2, int(height * scale) // 2 * 2)
    ys = np.minimum((np.arange(out_h) / scale).astype(int), height - 1)
    xs = np.minimum((np.arange(out_w) / scale).astype(int), width - 1)
    return frame[ys[:, None], xs[None, :], :3]


@lru_cache(maxsize=32_768)
def _half_block_style(top: int, bottom: int) -> Style:
    """The style of one ``▀`` cell; colours packed as ``0xRRGGBB``."""
    return Style(
        color=Color.from_rgb(top >> 16, (top >> 8) & 0xFF, top & 0xFF),
        bgcolor=Color.from_rgb(bottom >> 16, (bottom >> 8) & 0xFF, bottom & 0xFF),
    )


def half_block_strips(pixels: Frame, cols: int, background: Style) -> list[Strip]:
    """Two pixel rows per text row, centred in ``cols`` cells.

    Colours are rounded to 32 levels a channel (invisible in a thumbnail) so
    the cell styles can be cached.
    """
    lines = []
    out_h, out_w = pixels.shape[:2]
    pad_left = max(0, (cols - out_w) // 2)
    pad_right = max(0, cols - out_w - pad_left)
    wide = pixels.astype(np.uint32)
    rgb = (wide & 0xF8) | (wide >> 5)  # 0 stays 0, 255 stays 255
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    for r in range(0, out_h, 2):
        segments = [Segment(" " * pad_left, background)] if pad_left else []
        for top, bottom in zip(packed[r].tolist(), packed[r + 1].tolist(), strict=True):
            segments.append(Segment("▀", _half_block_style(top, bottom)))
        if pad_right:
            segments.append(Segment(" " * pad_right, background))
        lines.append(Strip(segments, cols))
    return lines


class VideoPanel(Widget):
    """Shows ``snapshot.video_frame`` (or its ``video_status`` when there is none)."""

    snapshot: reactive[SessionSnapshot | None] = reactive(None)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []
        self.border_title = "Video"

    def watch_snapshot(self, snapshot: SessionSnapshot | None) -> None:
        status = "no video" if snapshot is None else snapshot.video_status
        if str(self.border_subtitle) != status:
            self.border_subtitle = status

    def render_line(self, y: int) -> Strip:
        frame = None if self.snapshot is None else self.snapshot.video_frame
        key = (id(frame), self.size)
        if key != self._key:
            self._lines = self._draw(frame, self.size)
            self._key = key
        return self._lines[y] if 0 <= y < len(self._lines) else Strip.blank(self.size.width)

    def _draw(self, frame: Frame | None, size: Size) -> list[Strip]:
        background = self.rich_style
        if frame is None or frame.ndim != 3 or frame.shape[2] < 3:
            message = "no video"
            row = max(0, size.height // 2)
            lines = [Strip.blank(size.width, background) for _ in range(size.height)]
            if size.height:
                text = message.center(size.width)[: size.width]
                lines[row if row < size.height else 0] = Strip(
                    [Segment(text, background)], size.width
                )
            return lines
        pixels = fit_frame(frame, size.width, size.height)
        lines = half_block_strips(pixels, size.width, background)
        top_pad = max(0, (size.height - len(lines)) // 2)
        blank = Strip.blank(size.width, background)
        return [blank] * top_pad + lines + [blank] * (size.height - top_pad - len(lines))
