"""A braille dot canvas drawn with numpy, turned into styled text lines.

Each terminal cell is a 2×4 block of dots (U+2800 braille). Every dot holds
a layer number (0 = empty); a cell takes the colour of the highest layer
among its dots, so draw order does not matter and higher numbers win. Whole
characters (icons, cue glyphs, labels) go on top as overlays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from overwatch.tui.projection import DOTS_X, DOTS_Y

# bit of each dot in a braille cell, indexed [dot row][dot col]
_BRAILLE_BITS = np.array([[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]], dtype=np.uint16)
_BRAILLE_CHARS = np.array([" "] + [chr(0x2800 + i) for i in range(1, 256)], dtype="<U1")


class BrailleCanvas:
    """``cols`` × ``rows`` cells of braille dots, layered, plus character overlays."""

    def __init__(self, cols: int, rows: int) -> None:
        self.cols = max(0, cols)
        self.rows = max(0, rows)
        self.dots = np.zeros((self.rows * DOTS_Y, self.cols * DOTS_X), dtype=np.uint8)
        self._chars: npt.NDArray[np.str_] | None = None
        self._styles: npt.NDArray[np.int32] | None = None
        self._overlay_styles: list[Style] = []

    def copy(self) -> BrailleCanvas:
        other = BrailleCanvas(self.cols, self.rows)
        other.dots[:] = self.dots
        return other

    def plot(self, u: npt.NDArray[np.float64], v: npt.NDArray[np.float64], layer: int) -> None:
        """Set the dots at fractional dot coordinates ``(u, v)`` to ``layer`` (where higher)."""
        if u.size == 0:
            return
        ui = np.floor(u).astype(np.int64)
        vi = np.floor(v).astype(np.int64)
        inside = (ui >= 0) & (vi >= 0) & (ui < self.dots.shape[1]) & (vi < self.dots.shape[0])
        ui, vi = ui[inside], vi[inside]
        np.maximum.at(self.dots, (vi, ui), np.uint8(layer))

    def fill_mask(self, mask: npt.NDArray[np.bool_], layer: int) -> None:
        """Set every dot where ``mask`` (same shape as :attr:`dots`) is true."""
        np.maximum(self.dots, np.where(mask, np.uint8(layer), np.uint8(0)), out=self.dots)

    def _compose(self) -> None:
        if self._chars is not None:
            return
        blocks = self.dots.reshape(self.rows, DOTS_Y, self.cols, DOTS_X)
        codes = ((blocks > 0) * _BRAILLE_BITS[None, :, None, :]).sum(axis=(1, 3))
        self._chars = _BRAILLE_CHARS[codes].copy()
        self._styles = blocks.max(axis=(1, 3)).astype(np.int32)

    def put(self, col: int, row: int, text: str, style: Style) -> None:
        """Write ``text`` from cell ``(col, row)`` rightwards, clipped to the canvas."""
        if row < 0 or row >= self.rows:
            return
        self._compose()
        assert self._chars is not None and self._styles is not None
        style_id = -1 - len(self._overlay_styles)
        self._overlay_styles.append(style)
        for i, char in enumerate(text):
            c = col + i
            if 0 <= c < self.cols:
                self._chars[row, c] = char
                self._styles[row, c] = style_id

    def put_many(
        self, cols: Sequence[int], rows: Sequence[int], glyphs: Sequence[str], style: Style
    ) -> None:
        """One-character overlays sharing one style (for many cues at once)."""
        self._compose()
        assert self._chars is not None and self._styles is not None
        style_id = -1 - len(self._overlay_styles)
        self._overlay_styles.append(style)
        for col, row, glyph in zip(cols, rows, glyphs, strict=True):
            if 0 <= col < self.cols and 0 <= row < self.rows:
                self._chars[row, col] = glyph
                self._styles[row, col] = style_id

    def strips(self, layer_styles: Sequence[Style], background: Style) -> list[Strip]:
        """The canvas as one :class:`Strip` per row; ``layer_styles[n]`` colours layer ``n``."""
        self._compose()
        assert self._chars is not None and self._styles is not None
        lines: list[Strip] = []
        for row in range(self.rows):
            chars = self._chars[row]
            styles = self._styles[row]
            cuts = np.flatnonzero(np.diff(styles)) + 1
            starts = [0, *cuts.tolist()]
            ends = [*cuts.tolist(), self.cols]
            segments = []
            for start, end in zip(starts, ends, strict=True):
                style_id = int(styles[start])
                if style_id < 0:
                    style = self._overlay_styles[-1 - style_id]
                elif style_id == 0:
                    style = background
                else:
                    style = layer_styles[style_id]
                segments.append(Segment("".join(chars[start:end].tolist()), style))
            lines.append(Strip(segments, self.cols))
        return lines
