"""The video panel's terminal graphics: choosing kitty/sixel/half-blocks and what each sends."""

from __future__ import annotations

import base64
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from textual.app import App, ComposeResult
from textual.strip import Strip

from overwatch.errors import GraphicsSettingError
from overwatch.ops.state import SessionSnapshot
from overwatch.tui.graphics import (
    GRAPHICS_ENV,
    KITTY_PLACEHOLDER,
    GraphicsProtocol,
    TerminalGraphics,
    choose_graphics,
    fit_cells,
    parse_graphics_setting,
    probe_terminal,
    startup_graphics,
)
from overwatch.tui.screens.confirm import ConfirmScreen
from overwatch.tui.widgets.video import VideoPanel
from tests.tui.conftest import wait_until

REPO = Path(__file__).resolve().parents[2]
SIXEL = TerminalGraphics("sixel", 10, 20)
KITTY = TerminalGraphics("kitty", 10, 20)
PANEL = (40, 12)  # content cells of the test panel


def frame(seed: int, width: int = 160, height: int = 120) -> npt.NDArray[np.uint8]:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def must_not_probe() -> GraphicsProtocol:
    raise AssertionError("the terminal was asked although the setting overrides it")


# -- choosing the protocol ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["kitty", "sixel", "halfblock", " KITTY ", "Sixel"])
def test_the_override_wins_without_asking_the_terminal(value: str) -> None:
    chosen = choose_graphics({GRAPHICS_ENV: value}, must_not_probe)
    assert chosen == value.strip().lower()


@pytest.mark.parametrize("environ", [{}, {GRAPHICS_ENV: "auto"}, {GRAPHICS_ENV: ""}])
def test_auto_asks_the_terminal(environ: dict[str, str]) -> None:
    assert choose_graphics(environ, lambda: "sixel") == "sixel"
    assert choose_graphics(environ, lambda: "kitty") == "kitty"


def test_a_bad_setting_names_the_variable_and_the_choices() -> None:
    with pytest.raises(GraphicsSettingError) as caught:
        parse_graphics_setting("iterm")
    message = str(caught.value)
    assert "OVERWATCH_GRAPHICS='iterm'" in message
    for choice in ("auto", "kitty", "sixel", "halfblock"):
        assert choice in message


def test_auto_in_a_test_terminal_is_halfblock(tmp_path: Path) -> None:
    # files are not terminals: nothing to ask, half-blocks
    with (tmp_path / "in").open("w+") as stdin, (tmp_path / "out").open("w+") as stdout:
        assert choose_graphics({}, lambda: probe_terminal(stdin, stdout)) == "halfblock"
        assert stdout.tell() == 0, "nothing may be written to a non-terminal"


def detect_in_a_process(setting: str | None) -> subprocess.CompletedProcess[str]:
    """``detect_graphics()`` in a fresh process whose stdin/stdout are pipes (not a terminal)."""
    env = {k: v for k, v in os.environ.items() if k != GRAPHICS_ENV}
    if setting is not None:
        env[GRAPHICS_ENV] = setting
    code = (
        "from overwatch.tui.graphics import detect_graphics, startup_graphics\n"
        "g = detect_graphics()\n"
        "assert startup_graphics() is g\n"
        "print(g.protocol, g.cell_width_px, g.cell_height_px)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        stdin=subprocess.PIPE,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_start_up_detection_reads_the_override() -> None:
    done = detect_in_a_process("kitty")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "kitty 10 20"  # not a terminal: VT340 cells, 10×20 px


def test_start_up_detection_refuses_a_bad_setting() -> None:
    done = detect_in_a_process("sixels")
    assert done.returncode != 0
    assert "GraphicsSettingError: OVERWATCH_GRAPHICS='sixels' is not a graphics protocol" in (
        done.stderr
    )


class FakeTerminal:
    """The far side of a real pseudo-terminal, answering like a terminal, in order.

    The device attributes answer (``ESC [ ? … c``) lists ``4`` when it does
    sixel; a kitty graphics query (``a=q``) gets ``OK`` when it does kitty.
    The window is 100×30 cells of 8×16 px. ``delay_s``: how long each answer
    takes (a terminal over SSH on a poor link).
    """

    QUESTION = re.compile(rb"\x1b_G(i=\d+)[^\x1b]*a=q[^\x1b]*\x1b\\|\x1b\[c")

    def __init__(self, *, sixel: bool, kitty: bool, delay_s: float = 0.0) -> None:
        self.sixel = sixel
        self.kitty = kitty
        self.delay_s = delay_s
        self._heard = b""

    def answer(self, output: bytes) -> bytes:
        """The answers to the questions complete in what was written so far."""
        self._heard += output
        reply = b""
        while (question := self.QUESTION.search(self._heard)) is not None:
            self._heard = self._heard[question.end() :]
            if question.group(0) == b"\x1b[c":
                reply += b"\x1b[?62;4;22c" if self.sixel else b"\x1b[?62;22c"
            elif self.kitty:
                reply += b"\x1b_G" + question.group(1) + b";OK\x1b\\"
        if reply and self.delay_s:
            time.sleep(self.delay_s)
        return reply

    def run(self, code: str, env: dict[str, str], timeout_s: float = 30.0) -> str:
        """Run ``python -c code`` on this terminal; everything it wrote to the terminal."""
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 800, 480))
        process = subprocess.Popen(
            [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, cwd=REPO, env=env
        )
        os.close(slave)
        output = b""
        try:
            deadline = time.monotonic() + timeout_s
            while time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    if process.poll() is not None:
                        break
                    continue
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                output += chunk
                if reply := self.answer(chunk):
                    os.write(master, reply)
            assert process.wait(timeout=10) == 0, output[-2000:].decode(errors="replace")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            os.close(master)
        return output.decode("utf-8", errors="replace")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != GRAPHICS_ENV}
    return {**env, "TERM": "xterm-256color", **extra}


DETECT = (
    "from overwatch.tui.graphics import detect_graphics\n"
    "g = detect_graphics()\n"
    "print('DETECTED', g.protocol, g.cell_width_px, g.cell_height_px)\n"
)


@pytest.mark.parametrize(
    ("sixel", "kitty", "expected"),
    [
        (True, False, "sixel 8 16"),
        (False, True, "kitty 8 16"),
        (True, True, "sixel 8 16"),
        (False, False, "halfblock 10 20"),
    ],
    ids=["sixel-terminal", "kitty-terminal", "both", "plain-terminal"],
)
def test_auto_asks_a_real_terminal(sixel: bool, kitty: bool, expected: str) -> None:
    written = FakeTerminal(sixel=sixel, kitty=kitty).run(DETECT, clean_env())
    assert re.findall(r"DETECTED [^\r\n]*", written) == [f"DETECTED {expected}"]


@pytest.mark.parametrize(
    ("sixel", "kitty", "expected"), [(False, True, "kitty 8 16"), (True, False, "sixel 8 16")]
)
def test_a_terminal_slow_to_answer_is_still_understood(
    sixel: bool, kitty: bool, expected: str
) -> None:
    # over SSH on a poor link the answers take a while: textual-image's own detection waits
    # 0.1 s and fell back to half-blocks; a late answer then reached Textual as keystrokes
    written = FakeTerminal(sixel=sixel, kitty=kitty, delay_s=0.8).run(DETECT, clean_env())
    assert re.findall(r"DETECTED [^\r\n]*", written) == [f"DETECTED {expected}"]
    # every question was asked once, and nothing else was asked after the answers came
    assert written.count("\x1b[c") == 1 and written.count("a=q") == 1


def test_a_terminal_that_never_answers_gets_half_blocks() -> None:
    terminal = FakeTerminal(sixel=True, kitty=True)
    terminal.answer = lambda output: b""  # type: ignore[method-assign]
    written = terminal.run(DETECT, clean_env())
    assert re.findall(r"DETECTED [^\r\n]*", written) == ["DETECTED halfblock 10 20"]


APP_ON_A_TERMINAL = """
import numpy as np
from textual.app import App
from overwatch.ops.state import SessionSnapshot
from overwatch.tui.graphics import detect_graphics
from overwatch.tui.screens.confirm import ConfirmScreen
from overwatch.tui.widgets.video import VideoPanel

class Video(App[None]):
    CSS = "VideoPanel { width: 42; height: 14; border: round white; }"
    def compose(self):
        yield VideoPanel(id="video")
    def on_mount(self):
        pixels = np.random.default_rng(0).integers(0, 256, (120, 160, 3), dtype=np.uint8)
        self.query_one(VideoPanel).snapshot = SessionSnapshot(0.0, video_frame=pixels)
        self.set_interval(0.05, self.done)
    def done(self):
        panel = self.query_one(VideoPanel)
        if panel.picture is not None or panel.graphics.protocol == "halfblock":
            self.set_timer(0.3, self.exit)  # let it be drawn

print("GRAPHICS", detect_graphics().protocol)
Video().run()
"""


@pytest.mark.parametrize("setting", ["kitty", "sixel", "halfblock"])
def test_the_app_writes_the_protocol_to_a_real_terminal(setting: str) -> None:
    written = FakeTerminal(sixel=False, kitty=False).run(
        APP_ON_A_TERMINAL, clean_env(**{GRAPHICS_ENV: setting})
    )
    assert f"GRAPHICS {setting}" in written
    sixel = re.search(r"\x1bP[0-9;]*q\"1;1;(\d+);(\d+)[^\x1b]*\x1b\\", written)
    kitty = re.search(r"\x1b_Ga=t,f=24,o=z,s=160,v=120,", written)
    if setting == "sixel":
        assert sixel is not None and (sixel[1], sixel[2]) == ("256", "192")  # 32×12 cells of 8×16
        assert kitty is None
    elif setting == "kitty":
        assert kitty is not None and sixel is None
        assert written.count(KITTY_PLACEHOLDER) >= 32 * 12
    else:
        assert sixel is None and kitty is None and "▀" in written


def test_without_start_up_detection_the_panel_draws_half_blocks() -> None:
    assert startup_graphics().protocol == "halfblock"
    assert VideoPanel().graphics.protocol == "halfblock"


def test_the_picture_box_keeps_the_aspect() -> None:
    box = fit_cells(160, 120, 40, 12, SIXEL)  # 400×240 px available, 4:3 → 320×240
    assert (box.width, box.height) == (32, 12)
    assert (box.x, box.y) == (4, 0)
    wide = fit_cells(160, 40, 40, 12, SIXEL)  # 4:1 → 400×100 px
    assert (wide.width, wide.height) == (40, 5)
    assert wide.y == 3


# -- what the panel sends ----------------------------------------------------------------


class VideoApp(App[None]):
    CSS = "VideoPanel { width: 42; height: 14; border: round white; }"

    def __init__(self, graphics: TerminalGraphics, snapshot: SessionSnapshot) -> None:
        super().__init__()
        self.graphics = graphics
        self.first = snapshot

    def compose(self) -> ComposeResult:
        yield VideoPanel(graphics=self.graphics, id="video")

    def on_mount(self) -> None:
        self.query_one(VideoPanel).snapshot = self.first


def lines_of(panel: VideoPanel) -> list[Strip]:
    return [panel.render_line(y) for y in range(panel.size.height)]


def escapes(strips: list[Strip]) -> list[str]:
    return [s.text for strip in strips for s in strip if s.control]


def visible_text(strips: list[Strip]) -> str:
    return "\n".join("".join(s.text for s in strip if not s.control) for strip in strips)


async def test_sixel_frames_are_sent_as_dcs_sixel_images() -> None:
    pixels = frame(1)
    app = VideoApp(SIXEL, SessionSnapshot(time_s=0.0, video_frame=pixels))
    async with app.run_test() as pilot:
        panel = app.query_one(VideoPanel)
        await wait_until(pilot, lambda: panel.picture is not None, timeout_s=20)
        assert (panel.size.width, panel.size.height) == PANEL
        strips = lines_of(panel)
        corner = panel.content_region.offset
    assert all(strip.cell_length == PANEL[0] for strip in strips)
    assert visible_text(strips).strip() == "", "the cells under the image stay blank"
    assert escapes(strips[:-1]) == [], "the image is drawn after the rows above it"
    move_to_corner, image, move_back = escapes(strips[-1:])
    box = fit_cells(160, 120, *PANEL, SIXEL)
    assert move_to_corner == f"\x1b[{corner.y + box.y + 1};{corner.x + box.x + 1}H"
    assert image.startswith("\x1bP") and image.endswith("\x1b\\")
    introducer = re.match(r"\x1bP[0-9;]*q", image)
    assert introducer is not None, repr(image[:20])
    # raster attributes: the image fills its cells, 10×20 px each
    assert image[introducer.end() :].startswith(f'"1;1;{box.width * 10};{box.height * 20}')
    assert move_back == f"\x1b[{corner.y + PANEL[1]};{corner.x + PANEL[0] + 1}H"


def kitty_payload(escape: str) -> tuple[dict[str, str], bytes, dict[str, str]]:
    """The first transmit command's keys, the image bytes, and the placement's keys."""
    commands = re.findall(r"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\", escape)
    assert commands, repr(escape[:40])
    first = dict(kv.split("=") for kv in commands[0][0].split(","))
    data = "".join(payload for _, payload in commands[:-1])
    placement = dict(kv.split("=") for kv in commands[-1][0].split(","))
    return first, zlib.decompress(base64.standard_b64decode(data)), placement


async def test_kitty_frames_are_sent_as_apc_graphics_and_placeholders() -> None:
    pixels = frame(2)
    app = VideoApp(KITTY, SessionSnapshot(time_s=0.0, video_frame=pixels))
    async with app.run_test() as pilot:
        panel = app.query_one(VideoPanel)
        await wait_until(pilot, lambda: panel.picture is not None, timeout_s=20)
        strips = lines_of(panel)
    box = fit_cells(160, 120, *PANEL, KITTY)
    (escape,) = escapes(strips)
    assert escapes(strips[:1]) == [escape], "the image is sent with the first row"
    assert escape.startswith("\x1b_G") and escape.endswith("\x1b\\")
    keys, data, placement = kitty_payload(escape)
    assert keys["a"] == "t" and keys["f"] == "24" and (keys["s"], keys["v"]) == ("160", "120")
    assert data == pixels.tobytes(), "the frame's RGB bytes, unchanged"
    image_id = int(keys["i"])
    assert placement == {"a": "p", "U": "1", "i": str(image_id), "c": "32", "r": "12", "q": "2"}
    rows = [strip for strip in strips if KITTY_PLACEHOLDER in strip.text]
    assert len(rows) == box.height
    for strip in rows:
        (cells,) = [s for s in strip if KITTY_PLACEHOLDER in s.text]
        assert cells.text.count(KITTY_PLACEHOLDER) == box.width
        assert cells.style is not None and cells.style.color is not None
        r, g, b = cells.style.color.get_truecolor()
        assert (r << 16) | (g << 8) | b == image_id, "the placeholder's colour is the image id"
        assert strip.cell_length == PANEL[0]


async def test_the_latest_frame_wins_when_frames_come_faster_than_encoding() -> None:
    frames = [frame(seed) for seed in range(10, 16)]
    app = VideoApp(KITTY, SessionSnapshot(time_s=0.0, video_frame=frames[0]))
    async with app.run_test() as pilot:
        panel = app.query_one(VideoPanel)
        for n, pixels in enumerate(frames[1:], start=1):
            panel.snapshot = SessionSnapshot(time_s=float(n), video_frame=pixels)
        last = frames[-1].tobytes()

        def shows_last() -> bool:
            return panel.picture is not None and kitty_payload(panel.picture.escape)[1] == last

        await wait_until(pilot, shows_last, timeout_s=20)
        (escape,) = escapes(lines_of(panel))
        assert kitty_payload(escape)[1] == last


@pytest.mark.parametrize("graphics", [SIXEL, KITTY], ids=["sixel", "kitty"])
async def test_no_frame_shows_no_video_and_sends_no_image(graphics: TerminalGraphics) -> None:
    app = VideoApp(graphics, SessionSnapshot(time_s=0.0, video_frame=frame(3)))
    async with app.run_test() as pilot:
        panel = app.query_one(VideoPanel)
        await wait_until(pilot, lambda: panel.picture is not None, timeout_s=20)
        assert escapes(lines_of(panel)), "a frame is shown first"
        panel.snapshot = SessionSnapshot(time_s=1.0, video_frame=None)
        await pilot.pause()
        strips = lines_of(panel)
        assert "no video" in visible_text(strips)
        assert escapes(strips) == []
        assert str(panel.border_subtitle) == "no video"


@pytest.mark.parametrize("graphics", [SIXEL, KITTY], ids=["sixel", "kitty"])
async def test_half_blocks_stand_in_while_a_dialog_is_open(graphics: TerminalGraphics) -> None:
    app = VideoApp(graphics, SessionSnapshot(time_s=0.0, video_frame=frame(5)))
    async with app.run_test() as pilot:
        panel = app.query_one(VideoPanel)
        await wait_until(pilot, lambda: panel.picture is not None, timeout_s=20)
        assert escapes(lines_of(panel))
        app.push_screen(ConfirmScreen("Arm the drone and take off?"))
        await pilot.pause()
        strips = lines_of(panel)
        assert escapes(strips) == [], "no picture may be drawn over the dialog"
        assert "▀" in visible_text(strips)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert escapes(lines_of(panel)), "the picture is back once the dialog is closed"


async def test_half_blocks_stay_the_default_drawing() -> None:
    app = VideoApp(TerminalGraphics("halfblock"), SessionSnapshot(0.0, video_frame=frame(4)))
    async with app.run_test() as pilot:
        await pilot.pause()
        panel = app.query_one(VideoPanel)
        strips = lines_of(panel)
        assert panel.picture is None
        assert escapes(strips) == []
        assert "▀" * 32 in visible_text(strips)  # 160×120 → 32 cols × 24 px (12 rows)
