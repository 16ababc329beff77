"""Play recorded snapshots back through the same UI: pause, 1×/4×/16×, seek.

:class:`ReplaySource` is a :class:`~overwatch.tui.source.SnapshotSource`
that answers with the snapshot recorded at the playback position;
:func:`make_replay_app` wraps it in the ordinary app with replay keys. The
playback clock is injectable, so tests need not wait.

Keys: ``space`` pause/play, ``1``/``2``/``3`` speed 1×/4×/16×, ``[``/``]``
back/forward 10 s, ``{``/``}`` back/forward 60 s, ``home``/``end`` start/end.
A replay commands nothing: every command answers that it is a replay.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.widgets import Static

from overwatch.errors import CommandRejected
from overwatch.mission import MissionGeometry
from overwatch.ops.state import LatLon, SessionSnapshot
from overwatch.tui import format as fmt
from overwatch.tui.app import OverwatchApp, ThemeName
from overwatch.tui.widgets.patrol import progress_bar

SPEEDS = (1.0, 4.0, 16.0)


class ReplaySource:
    """Recorded snapshots (in time order), played back against ``clock`` (seconds)."""

    def __init__(
        self,
        snapshots: Sequence[SessionSnapshot],
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not snapshots:
            raise ValueError("a replay needs at least one snapshot")
        times = [s.time_s for s in snapshots]
        for i in range(1, len(times)):
            if times[i] < times[i - 1]:
                raise ValueError(
                    f"replay snapshots must be in time order: #{i} at {times[i]} "
                    f"comes before #{i - 1} at {times[i - 1]}"
                )
        self._snapshots = list(snapshots)
        self._times = times
        self._clock = clock
        self._anchor_s = clock()
        self._position_s = times[0]
        self.playing = True
        self.speed = 1.0

    @property
    def start_s(self) -> float:
        return self._times[0]

    @property
    def end_s(self) -> float:
        return self._times[-1]

    @property
    def position_s(self) -> float:
        """The session time (UNIX seconds) being shown."""
        self._advance()
        return self._position_s

    @property
    def progress(self) -> float:
        span = self.end_s - self.start_s
        return 1.0 if span <= 0 else (self.position_s - self.start_s) / span

    def latest(self) -> SessionSnapshot:
        self._advance()
        index = bisect.bisect_right(self._times, self._position_s) - 1
        return self._snapshots[max(0, index)]

    def toggle_pause(self) -> None:
        self._advance()
        if not self.playing and self._position_s >= self.end_s:
            self._position_s = self.start_s  # play again from the start
        self.playing = not self.playing

    def set_speed(self, speed: float) -> None:
        if speed not in SPEEDS:
            raise ValueError(f"replay speed must be one of {SPEEDS}, got {speed!r}")
        self._advance()
        self.speed = speed

    def seek(self, delta_s: float) -> None:
        """Move the playback position by ``delta_s`` seconds (negative: back)."""
        self.seek_to(self.position_s + delta_s)

    def seek_to(self, time_s: float) -> None:
        self._advance()
        self._position_s = min(self.end_s, max(self.start_s, time_s))

    def _advance(self) -> None:
        now = self._clock()
        if self.playing:
            self._position_s = min(
                self.end_s, self._position_s + (now - self._anchor_s) * self.speed
            )
            if self._position_s >= self.end_s:
                self.playing = False
        self._anchor_s = now


class ReplayCommands:
    """Answers every command with a refusal: a replay flies nothing."""

    async def _refuse(self, command: str) -> None:
        raise CommandRejected(command, -1, "REPLAY", "this is a replay; nothing is flying")

    async def start_overwatch(self) -> None:
        await self._refuse("start_overwatch()")

    async def hold(self) -> None:
        await self._refuse("hold()")

    async def resume(self) -> None:
        await self._refuse("resume()")

    async def return_to_launch(self) -> None:
        await self._refuse("return_to_launch()")

    async def land(self) -> None:
        await self._refuse("land()")

    async def set_strategy(self, name: str) -> None:
        await self._refuse(f"set_strategy({name})")

    async def start_follow_baseline(self) -> None:
        await self._refuse("start_follow_baseline()")

    async def arm_and_takeoff(self) -> None:
        await self._refuse("arm_and_takeoff()")

    async def look_at(self, position: LatLon) -> None:
        await self._refuse("look_at()")

    async def mark_cue(self, position: LatLon, kind: str = "unknown", note: str = "") -> str:
        await self._refuse("mark_cue()")
        return ""

    async def acknowledge_cue(self, cue_id: str) -> None:
        await self._refuse(f"acknowledge_cue({cue_id})")

    async def dismiss_cue(self, cue_id: str) -> None:
        await self._refuse(f"dismiss_cue({cue_id})")

    async def note_cue(self, cue_id: str, text: str) -> None:
        await self._refuse(f"note_cue({cue_id})")


def replay_status(source: ReplaySource, width: int = 20) -> Text:
    """``REPLAY ▶ 4× 05:31:10 [████░░░░] 35%`` for the status line."""
    state = "▶" if source.playing else "⏸"
    text = Text(f" REPLAY {state} {source.speed:g}× ", style="bold reverse")
    text.append(f" {fmt.clock_utc(source.position_s)} UTC ")
    text.append(progress_bar(source.progress, width))
    text.append(
        f" {source.progress * 100:.0f}%   space pause · 1/2/3 speed · [ ] ±10 s · {{ }} ±60 s"
    )
    return text


class ReplayApp(OverwatchApp):
    """The ordinary screen, a replay status line on top, and the replay keys."""

    CSS = "#replay { dock: top; height: 1; }"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "replay_pause", "Pause/play", key_display="space"),
        Binding("1", "replay_speed(1)", "1×", show=False),
        Binding("2", "replay_speed(4)", "4×", show=False),
        Binding("3", "replay_speed(16)", "16×", show=False),
        Binding("left_square_bracket", "replay_seek(-10)", "−10 s", key_display="["),
        Binding("right_square_bracket", "replay_seek(10)", "+10 s", key_display="]"),
        Binding("left_curly_bracket", "replay_seek(-60)", "−60 s", show=False),
        Binding("right_curly_bracket", "replay_seek(60)", "+60 s", show=False),
        Binding("home", "replay_jump(0)", "Start", show=False),
        Binding("end", "replay_jump(1)", "End", show=False),
    ]

    def __init__(
        self, geometry: MissionGeometry, source: ReplaySource, *, theme: ThemeName = "dark"
    ) -> None:
        super().__init__(geometry, source, ReplayCommands(), theme=theme)
        self.replay = source

    def compose(self) -> ComposeResult:
        yield Static(id="replay")
        yield from super().compose()

    def on_mount(self) -> None:
        self.set_interval(0.25, self._show_status)
        self._show_status()

    def _show_status(self) -> None:
        try:
            status = self.query_one("#replay", Static)
        except NoMatches:  # the app is closing (see OverwatchApp._widget)
            return
        status.update(replay_status(self.replay))

    def _after_control(self) -> None:
        self.poll_source()
        self._show_status()

    def action_replay_pause(self) -> None:
        self.replay.toggle_pause()
        self._after_control()

    def action_replay_speed(self, speed: float) -> None:
        self.replay.set_speed(float(speed))
        self._after_control()

    def action_replay_seek(self, delta_s: float) -> None:
        self.replay.seek(delta_s)
        self._after_control()

    def action_replay_jump(self, fraction: float) -> None:
        self.replay.seek_to(
            self.replay.start_s + fraction * (self.replay.end_s - self.replay.start_s)
        )
        self._after_control()


def make_replay_app(
    geometry: MissionGeometry,
    snapshots: Sequence[SessionSnapshot],
    *,
    theme: ThemeName = "dark",
    clock: Callable[[], float] = time.monotonic,
) -> ReplayApp:
    """The UI playing ``snapshots`` back (for ``overwatch replay``)."""
    return ReplayApp(geometry, ReplaySource(snapshots, clock=clock), theme=theme)
