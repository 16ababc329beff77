"""Which picture protocol the terminal speaks, and frames encoded for it.

Three ways to draw the camera frame:

* ``kitty`` — the kitty graphics protocol (TGP): the frame is sent as an APC
  escape (``ESC _ G … ESC \\``) and shown through Unicode placeholder cells,
  so Textual lays it out, crops and covers it like text;
* ``sixel`` — a DCS sixel image (``ESC P … q … ESC \\``) drawn over the
  panel's cells;
* ``halfblock`` — ``▀`` cells in truecolour, which works everywhere (the
  fallback, drawn by :mod:`overwatch.tui.widgets.video`).

Detection happens once, at start-up, **before** the Textual app runs (the
terminal's answers arrive on stdin, which Textual reads once it has started)::

    graphics = detect_graphics()     # reads OVERWATCH_GRAPHICS, else asks the terminal

``OVERWATCH_GRAPHICS=kitty|sixel|halfblock|auto`` overrides the terminal's
answer (``auto``, the default, asks the terminal, waiting up to
:data:`PROBE_TIMEOUT_S` for a slow one).
Encoding a frame (:func:`encode_picture`) is CPU work of up to ~0.15 s
for sixel: call it off the UI loop.
"""

from __future__ import annotations

import base64
import os
import random
import re
import sys
import time
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO, Literal, get_args

import numpy as np
import numpy.typing as npt

from overwatch.errors import GraphicsSettingError

Frame = npt.NDArray[np.uint8]
GraphicsProtocol = Literal["kitty", "sixel", "halfblock"]
GraphicsSetting = Literal["auto", "kitty", "sixel", "halfblock"]
GRAPHICS_ENV = "OVERWATCH_GRAPHICS"
#: a terminal cell's size in pixels (width, height) when the terminal does not say (VT340)
DEFAULT_CELL_PX = (10, 20)

APC_START = "\x1b_G"
ST = "\x1b\\"
#: kitty's Unicode placeholder; its diacritics give the row and column of the cell
KITTY_PLACEHOLDER = "\U0010eeee"
_KITTY_CHUNK = 4096


@dataclass(frozen=True)
class TerminalGraphics:
    """What the terminal can show: the protocol and its cell size in pixels."""

    protocol: GraphicsProtocol
    cell_width_px: int = DEFAULT_CELL_PX[0]
    cell_height_px: int = DEFAULT_CELL_PX[1]


HALFBLOCK = TerminalGraphics("halfblock")


def parse_graphics_setting(value: str | None) -> GraphicsSetting:
    """The protocol asked for in ``OVERWATCH_GRAPHICS`` (unset or empty: ``auto``).

    >>> parse_graphics_setting(" Sixel ")
    'sixel'
    """
    text = (value or "auto").strip().lower() or "auto"
    choices: tuple[GraphicsSetting, ...] = get_args(GraphicsSetting)
    for choice in choices:
        if text == choice:
            return choice
    raise GraphicsSettingError(
        f"{GRAPHICS_ENV}={value!r} is not a graphics protocol; expected one of {', '.join(choices)}"
    )


def choose_graphics(
    environ: Mapping[str, str], probe: Callable[[], GraphicsProtocol]
) -> GraphicsProtocol:
    """The override in ``environ`` if it names a protocol, else what ``probe()`` finds."""
    setting = parse_graphics_setting(environ.get(GRAPHICS_ENV))
    return probe() if setting == "auto" else setting


#: how long the terminal may take to answer the start-up questions (a terminal over SSH on a
#: poor link, a busy laptop): every VT100-style terminal answers the last one, so a terminal
#: that does answer ends the wait at once
PROBE_TIMEOUT_S = 3.0
#: a kitty graphics query (a 1×1 image, id 31, not stored), then Primary Device Attributes
KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
DEVICE_ATTRIBUTES = b"\x1b[c"
_DA_ANSWER = re.compile(rb"\x1b\[\?([0-9;]*)c")


def probe_terminal(
    stdin: IO[str] | None = sys.__stdin__,
    stdout: IO[str] | None = sys.__stdout__,
    timeout_s: float = PROBE_TIMEOUT_S,
) -> GraphicsProtocol:
    """Ask the terminal: sixel first, then kitty, else halfblock.

    It sends a kitty graphics query, then Primary Device Attributes (``ESC [ c``),
    and reads until the attributes come back (a terminal answers in order, so
    any kitty answer has come by then) or ``timeout_s`` runs out. Sixel is
    attribute ``4``; kitty answers its query ``OK``. Not a terminal (a pipe,
    a file, a test run): ``halfblock`` without asking. Must run before Textual
    starts reading stdin.
    """
    if stdin is None or stdout is None or not (stdin.isatty() and stdout.isatty()):
        return "halfblock"
    answer = _ask_terminal(
        stdin.fileno(), stdout.fileno(), KITTY_QUERY + DEVICE_ATTRIBUTES, timeout_s
    )
    attributes = _DA_ANSWER.search(answer)
    if attributes is not None and "4" in attributes.group(1).decode().split(";"):
        return "sixel"
    if b"\x1b_Gi=31;OK" in answer:
        return "kitty"
    return "halfblock"


def _ask_terminal(in_fd: int, out_fd: int, question: bytes, timeout_s: float) -> bytes:
    """Write ``question`` and read the answer up to the device attributes (echo off)."""
    import select
    import termios

    saved = termios.tcgetattr(in_fd)
    quiet = termios.tcgetattr(in_fd)
    quiet[3] &= ~(termios.ICANON | termios.ECHO)
    answer = b""
    try:
        termios.tcsetattr(in_fd, termios.TCSANOW, quiet)
        os.write(out_fd, question)
        deadline = time.monotonic() + timeout_s
        while _DA_ANSWER.search(answer) is None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([in_fd], [], [], left)[0]:
                break
            chunk = os.read(in_fd, 1024)
            if not chunk:
                break
            answer += chunk
    finally:
        termios.tcsetattr(in_fd, termios.TCSANOW, saved)
    return answer


class _StartUp:
    """The one start-up detection of this process (the terminal is process-wide too)."""

    detected: TerminalGraphics | None = None


def detect_graphics() -> TerminalGraphics:
    """Read ``OVERWATCH_GRAPHICS``, ask the terminal if it says ``auto``, and remember the answer.

    Call once, before the app runs (``make_app`` or the command line).
    Raises :class:`GraphicsSettingError` for an unknown ``OVERWATCH_GRAPHICS``.
    """
    protocol = choose_graphics(os.environ, probe_terminal)
    graphics = HALFBLOCK
    if protocol != "halfblock":
        _load_encoder(protocol)
        from textual_image._terminal import TerminalError, get_cell_size

        try:
            cell = get_cell_size()
            graphics = TerminalGraphics(protocol, cell.width, cell.height)
        except TerminalError:
            graphics = TerminalGraphics(protocol)
    _StartUp.detected = graphics
    return graphics


def startup_graphics() -> TerminalGraphics:
    """The start-up detection's answer; half-blocks if :func:`detect_graphics` never ran.

    Asking the terminal once Textual runs would race Textual for stdin, so
    without a start-up detection the safe half-block renderer is used.
    """
    return _StartUp.detected or HALFBLOCK


def _load_encoder(protocol: GraphicsProtocol) -> None:
    """Import textual-image's encoder for ``protocol`` now, before Textual runs.

    ``textual_image.renderable`` asks the terminal itself when first imported,
    allowing only 0.1 s for each answer: an answer that comes later would reach
    Textual as keystrokes. It is imported with ``sys.__stdout__`` hidden, so it
    asks nothing (:func:`probe_terminal` has asked already).
    """
    if protocol == "sixel":
        import textual_image._sixel  # no questions: outside textual_image.renderable
    elif protocol == "kitty":
        saved, sys.__stdout__ = sys.__stdout__, None  # type: ignore[misc]
        try:
            import textual_image.renderable.tgp  # noqa: F401
        finally:
            sys.__stdout__ = saved  # type: ignore[misc]


# -- geometry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CellBox:
    """Where a picture sits in a panel, in cells from its top-left corner."""

    x: int
    y: int
    width: int
    height: int


def fit_cells(
    frame_width_px: int, frame_height_px: int, cols: int, rows: int, graphics: TerminalGraphics
) -> CellBox:
    """The largest box of whole cells in ``cols`` × ``rows`` with the frame's aspect, centred."""
    if min(frame_width_px, frame_height_px, cols, rows) <= 0:
        return CellBox(0, 0, 0, 0)
    scale = min(
        cols * graphics.cell_width_px / frame_width_px,
        rows * graphics.cell_height_px / frame_height_px,
    )
    width = max(1, min(cols, round(frame_width_px * scale / graphics.cell_width_px)))
    height = max(1, min(rows, round(frame_height_px * scale / graphics.cell_height_px)))
    return CellBox((cols - width) // 2, (rows - height) // 2, width, height)


# -- pictures ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Picture:
    """A frame encoded for one protocol and one panel size.

    ``escape`` is the escape sequence that sends the image (kitty: transmit and
    place it; sixel: the DCS image itself); ``box`` is where it goes in the
    panel of ``cols`` × ``rows`` cells.
    """

    protocol: GraphicsProtocol
    cols: int
    rows: int
    box: CellBox
    escape: str
    image_id: int = 0


def new_kitty_image_id() -> int:
    """A random kitty image id that fits a 24-bit foreground colour (the placeholder's colour)."""
    return random.randint(1, 0xFFFFFF)


def encode_picture(
    frame: Frame, cols: int, rows: int, graphics: TerminalGraphics, image_id: int = 1
) -> Picture:
    """Encode an (h, w, 3) RGB uint8 frame to fill ``cols`` × ``rows`` cells, aspect kept.

    CPU-bound (sixel: up to ~0.15 s for a noisy panel-sized frame): run it in a thread.
    """
    if graphics.protocol == "halfblock":
        raise ValueError("half-block frames are drawn by the video panel, not encoded")
    height_px, width_px = frame.shape[:2]
    box = fit_cells(width_px, height_px, cols, rows, graphics)
    rgb = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
    if graphics.protocol == "kitty":
        escape = kitty_transmit(rgb, image_id, box.width, box.height)
    else:
        escape = sixel_image(
            rgb, box.width * graphics.cell_width_px, box.height * graphics.cell_height_px
        )
    return Picture(graphics.protocol, cols, rows, box, escape, image_id)


def kitty_transmit(rgb: Frame, image_id: int, cols: int, rows: int) -> str:
    """APC escapes that send ``rgb`` as image ``image_id``, placed virtually over cols × rows cells.

    Raw RGB (``f=24``), zlib-compressed (``o=z``), base64 in 4096-byte chunks;
    ``q=2`` keeps the terminal quiet. The terminal scales it to the cells.
    """
    height_px, width_px = rgb.shape[:2]
    data = base64.standard_b64encode(zlib.compress(rgb.tobytes(), 1)).decode("ascii")
    chunks = [data[i : i + _KITTY_CHUNK] for i in range(0, len(data), _KITTY_CHUNK)] or [""]
    parts = []
    for n, chunk in enumerate(chunks):
        more = int(n < len(chunks) - 1)
        keys = f"a=t,f=24,o=z,s={width_px},v={height_px},i={image_id},q=2,m={more}"
        parts.append(f"{APC_START}{keys if n == 0 else f'm={more},q=2'};{chunk}{ST}")
    parts.append(f"{APC_START}a=p,U=1,i={image_id},c={cols},r={rows},q=2{ST}")
    return "".join(parts)


def kitty_placeholder_row(row: int, cols: int) -> str:
    """The placeholder cells of one row of a virtually placed kitty image.

    Each cell is ``U+10EEEE`` + the row's diacritic + the column's diacritic;
    the image id is the cells' foreground colour.
    """
    from textual_image.renderable.tgp import _NUMBER_TO_DIACRITIC as DIACRITICS

    if row >= len(DIACRITICS) or cols > len(DIACRITICS):
        raise ValueError(f"a kitty placeholder image is at most {len(DIACRITICS)} cells a side")
    row_mark = chr(DIACRITICS[row])
    return "".join(f"{KITTY_PLACEHOLDER}{row_mark}{chr(DIACRITICS[c])}" for c in range(cols))


def sixel_image(rgb: Frame, width_px: int, height_px: int) -> str:
    """A DCS sixel image of ``rgb`` resized to ``width_px`` × ``height_px`` pixels."""
    from PIL import Image as PILImage
    from textual_image._sixel import image_to_sixels

    image = PILImage.fromarray(rgb)
    if image.size != (width_px, height_px):
        image = image.resize((max(1, width_px), max(1, height_px)), PILImage.Resampling.BILINEAR)
    return str(image_to_sixels(image))
