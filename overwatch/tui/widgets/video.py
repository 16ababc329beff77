"""The latest camera frame: kitty or sixel graphics when the terminal has them, else half-blocks.

Half-block pixels (``▀``: top colour on bottom colour) work in any truecolour
terminal and are drawn right here; kitty and sixel pictures are encoded by
:mod:`overwatch.tui.graphics` in a thread, latest frame first, so a slow
encoder drops frames instead of slowing the screen.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rich.color import Color
from rich.control import Control
from rich.segment import ControlType, Segment
from rich.style import Style
from textual.geometry import Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from overwatch.ops.state import SessionSnapshot
from overwatch.tui.graphics import (
    Picture,
    TerminalGraphics,
    encode_picture,
    kitty_placeholder_row,
    new_kitty_image_id,
    startup_graphics,
)

Frame = npt.NDArray[np.uint8]
#: marks a segment as escape codes that take no cells (Textual passes it through as is)
_ESCAPE = ((ControlType.CURSOR_FORWARD, 0),)


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


def is_frame(frame: Frame | None) -> bool:
    """Whether ``frame`` is something to show: an (h, w, ≥3) array with pixels."""
    return (
        frame is not None
        and frame.ndim == 3
        and frame.shape[2] >= 3
        and frame.shape[0] > 0
        and frame.shape[1] > 0
    )


def escape_segment(text: str) -> Segment:
    """Escape codes as a segment that takes no cells."""
    return Segment(text, None, _ESCAPE)


def kitty_strips(picture: Picture, background: Style) -> list[Strip]:
    """Placeholder cells for a kitty picture; the first row also sends the image."""
    box = picture.box
    image_style = background + Style(color=Color.from_rgb(*picture.image_id.to_bytes(3, "big")))
    blank = Strip.blank(picture.cols, background)
    lines = [blank] * picture.rows
    for row in range(box.height):
        segments = [
            Segment(" " * box.x, background),
            Segment(kitty_placeholder_row(row, box.width), image_style),
            Segment(" " * (picture.cols - box.x - box.width), background),
        ]
        lines[box.y + row] = Strip([s for s in segments if s.text], picture.cols)
    first = [escape_segment(picture.escape), *lines[0]]
    lines[0] = Strip(first, picture.cols)
    return lines


def sixel_strips(picture: Picture, left: int, top: int, background: Style) -> list[Strip]:
    """Blank cells, then (in the last row, after the rows above are written) the sixel image.

    ``left``, ``top``: the panel's content corner on the screen, in cells.
    The cursor goes to the picture's corner, the image is drawn, and the
    cursor comes back to the end of the last row where Textual expects it.
    """
    box = picture.box
    blank = Strip.blank(picture.cols, background)
    last = Strip(
        [
            Segment(" " * picture.cols, background),
            escape_segment(Control.move_to(left + box.x, top + box.y).segment.text),
            escape_segment(picture.escape),
            escape_segment(
                Control.move_to(left + picture.cols, top + picture.rows - 1).segment.text
            ),
        ],
        picture.cols,
    )
    return [blank] * (picture.rows - 1) + [last]


@dataclass(frozen=True, eq=False)
class _Wanted:
    frame: Frame
    cols: int
    rows: int


class VideoPanel(Widget):
    """Shows ``snapshot.video_frame`` (or its ``video_status`` when there is none).

    ``graphics`` is the terminal's picture protocol; by default the one found
    by :func:`overwatch.tui.graphics.detect_graphics` at start-up (half-blocks
    when it was not called).
    """

    snapshot: reactive[SessionSnapshot | None] = reactive(None)

    def __init__(self, *, graphics: TerminalGraphics | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.graphics = graphics if graphics is not None else startup_graphics()
        self._key: tuple[object, ...] | None = None
        self._lines: list[Strip] = []
        self._picture: Picture | None = None
        self._wanted: _Wanted | None = None
        self._asked: _Wanted | None = None  # the last frame and size sent to the encoder
        self._encoding = False
        self._image_id = new_kitty_image_id()
        self.border_title = "Video"

    @property
    def picture(self) -> Picture | None:
        """The latest encoded kitty/sixel picture (None with half-blocks or before the first)."""
        return self._picture

    def watch_snapshot(self, snapshot: SessionSnapshot | None) -> None:
        status = "no video" if snapshot is None else snapshot.video_status
        if str(self.border_subtitle) != status:
            self.border_subtitle = status
        self._want_picture()

    def on_resize(self) -> None:
        self._want_picture()

    def _frame(self) -> Frame | None:
        frame = None if self.snapshot is None else self.snapshot.video_frame
        return frame if is_frame(frame) else None

    def _want_picture(self) -> None:
        """Ask for the current frame at the current size to be encoded (kitty/sixel only)."""
        frame = self._frame()
        if self.graphics.protocol == "halfblock" or frame is None or not self.size.area:
            self._wanted = None
            return
        wanted = _Wanted(frame, self.size.width, self.size.height)
        asked = self._asked
        if (
            asked is not None
            and asked.frame is frame
            and asked.cols == wanted.cols
            and asked.rows == wanted.rows
        ):
            return  # a new snapshot, the same frame
        self._wanted = self._asked = wanted
        if not self._encoding:
            self._encoding = True
            self.run_worker(self._encode_latest(), group="video-encode", exit_on_error=False)

    async def _encode_latest(self) -> None:
        """Encode in a thread until caught up; frames that arrive meanwhile replace each other."""
        try:
            while (wanted := self._wanted) is not None:
                self._wanted = None
                self._picture = await asyncio.to_thread(
                    encode_picture,
                    wanted.frame,
                    wanted.cols,
                    wanted.rows,
                    self.graphics,
                    self._image_id,
                )
                self.refresh()
        finally:
            self._encoding = False

    def render_line(self, y: int) -> Strip:
        frame = self._frame()
        picture = self._picture
        size = self.size
        if frame is not None and picture is not None and self._pictures_shown():
            corner = self.content_region.offset
            key: tuple[object, ...] = (id(picture), size, corner)
            if key != self._key:
                self._lines = self._draw_picture(picture, size, corner.x, corner.y)
                self._key = key
        else:
            half_blocks = self.graphics.protocol == "halfblock" or not self._pictures_shown()
            key = (id(frame), size, half_blocks)
            if key != self._key:
                self._lines = self._draw(frame, size, half_blocks)
                self._key = key
        return self._lines[y] if 0 <= y < len(self._lines) else Strip.blank(size.width)

    def _pictures_shown(self) -> bool:
        """kitty/sixel, and no dialog over the screen.

        Under a dialog the screen is drawn tinted: that would break a kitty
        picture (its id is its colour) and a sixel would be drawn over the
        dialog, so half-blocks stand in until the dialog closes.
        """
        return self.graphics.protocol != "halfblock" and self.screen.is_active

    def _draw_picture(self, picture: Picture, size: Size, left: int, top: int) -> list[Strip]:
        background = self.rich_style
        if (picture.cols, picture.rows) != (size.width, size.height):
            return [Strip.blank(size.width, background)] * size.height  # resized: next one soon
        if picture.protocol == "kitty":
            return kitty_strips(picture, background)
        return sixel_strips(picture, left, top, background)

    def _draw(self, frame: Frame | None, size: Size, half_blocks: bool) -> list[Strip]:
        """Half-blocks, "no video", or blank while the first picture is encoded."""
        background = self.rich_style
        if frame is None or not half_blocks:
            message = "no video" if frame is None else ""
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
