"""The Overwatch terminal UI: wiring only (widgets, keys, snapshot polling, commands).

Build it with :func:`make_app`. The app renders snapshots it polls from a
:class:`~overwatch.tui.source.SnapshotSource` and sends the operator's
commands through :class:`~overwatch.ops.state.SessionCommands` in workers,
so a slow or dead link never blocks the screen.

With a team (two drones or more in the snapshot), ``v`` chooses whom flight commands
address (see :mod:`overwatch.tui.team`); each command is sent to a drone named when it
is sent (:meth:`~overwatch.ops.state.TeamCommands.addressed`), so commands overlapping
in their workers never swap drones, and "all" sends one per drone.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import ClassVar, Literal, TypeVar

from shapely.geometry import Polygon
from textual import events
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.theme import Theme
from textual.widget import Widget
from textual.widgets import Footer

from overwatch.errors import OverwatchError
from overwatch.mission import MissionGeometry
from overwatch.ops.state import (
    EventLine,
    LatLon,
    SessionCommands,
    SessionSnapshot,
    TeamCommands,
)
from overwatch.tui import format as fmt
from overwatch.tui.keys import APP_BINDINGS, TEAM_BINDINGS, help_sections
from overwatch.tui.map_scene import MapScene
from overwatch.tui.palette import THEMES
from overwatch.tui.screens.confirm import ConfirmScreen
from overwatch.tui.screens.help import HelpScreen
from overwatch.tui.screens.note import NoteScreen
from overwatch.tui.source import PushSnapshotSource, SnapshotSource
from overwatch.tui.team import (
    ALL,
    Target,
    addressed_indices,
    drone_name,
    next_target,
    shown_drone,
    target_label,
    team_of,
)
from overwatch.tui.widgets.coverage import CoverageStrip
from overwatch.tui.widgets.cue_table import CueTable
from overwatch.tui.widgets.events_log import EventsLog
from overwatch.tui.widgets.patrol import PatrolPanel
from overwatch.tui.widgets.tactical_map import TacticalMap
from overwatch.tui.widgets.telemetry import TeamView, TelemetryPanel
from overwatch.tui.widgets.video import VideoPanel

ThemeName = Literal["dark", "light"]
W = TypeVar("W", bound=Widget)
STRATEGY_CYCLE = ("lead", "escort", "bounding", "static")
WIDE_COLUMNS = 120
#: (title, help, action) for the command palette
PALETTE = (
    ("Start overwatch", "s: fly the planned overwatch", "start_overwatch"),
    ("Hold", "space: pause, hold position", "hold"),
    ("Resume", "r: resume the overwatch", "resume"),
    ("Return to launch", "R: RTL", "return_to_launch"),
    ("Land", "L: land where it is", "land"),
    ("Switch strategy", "t: lead → escort → bounding → static", "cycle_strategy"),
    ("Start FOLLOW baseline", "f: the baseline to compare against", "start_follow"),
    ("Arm and take off", "T: asks for confirmation", "arm_and_takeoff"),
    ("Mark cue at map cursor", "m", "mark_at_cursor"),
    ("Mark cue at camera centre", "M", "mark_at_camera"),
    ("Keys", "?: every key", "help"),
)
#: the command palette's entries for a team
TEAM_PALETTE = (("Address the next drone", "v: on duty → 1 → 2 … → all", "cycle_drone"),)


class OverwatchApp(App[None]):
    """The field laptop's screen."""

    CSS_PATH = "app.tcss"
    TITLE = "Overwatch"
    BINDINGS: ClassVar[list[BindingType]] = [*APP_BINDINGS, *TEAM_BINDINGS]

    def __init__(
        self,
        geometry: MissionGeometry,
        source: SnapshotSource,
        commands: SessionCommands,
        *,
        theme: ThemeName = "dark",
        poll_hz: float = 10.0,
    ) -> None:
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {sorted(THEMES)}, got {theme!r}")
        if poll_hz <= 0:
            raise ValueError(f"poll_hz must be positive, got {poll_hz!r}")
        super().__init__()
        self.geometry = geometry
        self.source = source
        self.commands = commands
        self.poll_hz = poll_hz
        self._theme_choice = THEMES[theme]
        self._scene = MapScene(geometry)
        self._shown: SessionSnapshot | None = None
        self._cursor: LatLon | None = None
        #: whom flight commands address (a team's; see overwatch.tui.team)
        self._target: Target = None
        self._team_size = 0

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="top"):
            yield TacticalMap(self._scene, id="map")
            with Vertical(id="side"):
                yield TelemetryPanel(id="telemetry")
                yield PatrolPanel(id="patrol")
                yield VideoPanel(id="video")
        yield CoverageStrip(id="coverage")
        with Horizontal(id="bottom"):
            yield CueTable(id="cues")
            yield EventsLog(id="events")
        yield Footer()

    def on_mount(self) -> None:
        for theme in THEMES.values():
            self.register_theme(theme)
        self.theme = self._theme_choice.name
        self.theme_changed_signal.subscribe(self, self._on_theme_changed)
        self._on_theme_changed(self.current_theme)
        self.query_one(TacticalMap).focus()
        self.poll_source()
        if isinstance(self.source, PushSnapshotSource):
            self.run_worker(self._follow_pushes(self.source), group="source", exit_on_error=False)
        self.set_interval(1.0 / self.poll_hz, self.poll_source)

    def on_resize(self, event: events.Resize) -> None:
        # the main screen, even when a dialog is on top of it
        self.screen_stack[0].set_class(event.size.width >= WIDE_COLUMNS, "-wide")

    def _widget(self, kind: type[W]) -> W | None:
        """The main screen's ``kind`` of widget; ``None`` while the app closes and its widgets
        are going (a poll, a message or a command's answer may still arrive then)."""
        try:
            return self.query_one(kind)
        except NoMatches:
            return None

    def _on_theme_changed(self, theme: Theme) -> None:
        map_, cues = self._widget(TacticalMap), self._widget(CueTable)
        if map_ is not None and cues is not None:
            map_.dark = cues.dark = theme.dark

    # -- snapshots down ----------------------------------------------------------------

    def poll_source(self) -> None:
        """Show the source's latest snapshot if it is new (called by the timer)."""
        snapshot = self.source.latest()
        if snapshot is not self._shown:
            self.show_snapshot(snapshot)

    async def _follow_pushes(self, source: PushSnapshotSource) -> None:
        async for snapshot in source.changes():
            if snapshot is not self._shown:
                self.show_snapshot(snapshot)

    def show_snapshot(self, snapshot: SessionSnapshot) -> None:
        """Hand each widget its part of ``snapshot`` (none while the app is closing and
        its widgets are already going: a poll may still tick then)."""
        try:
            map_ = self.query_one(TacticalMap)
            telemetry, patrol = self.query_one(TelemetryPanel), self.query_one(PatrolPanel)
            video, cues = self.query_one(VideoPanel), self.query_one(CueTable)
            strip, events_log = self.query_one(CoverageStrip), self.query_one(EventsLog)
        except NoMatches:  # see _widget
            return
        self._shown = snapshot
        map_.snapshot = snapshot
        title = f"Map · {snapshot.strategy} · {fmt.clock_utc(snapshot.time_s)} UTC"
        if snapshot.drone.link_lost:
            age = fmt.duration(snapshot.drone.last_message_age_s)
            title += f" · [reverse bold] LINK LOST {age} [/]"
        if str(map_.border_title) != title:
            map_.border_title = title
        self._show_team(snapshot, telemetry, map_)
        patrol.patrol = snapshot.patrol
        video.snapshot = snapshot
        cues.cues = snapshot.cues
        strip.coverage = snapshot.coverage
        strip.route_length_m = snapshot.patrol.route_length_m or float(self.geometry.route.length)
        strip.patrol_station_m = snapshot.patrol.station_m
        events_log.events = snapshot.events

    def _show_team(
        self, snapshot: SessionSnapshot, telemetry: TelemetryPanel, map_: TacticalMap
    ) -> None:
        """The drone panel: the drone, or a team's list and the drone addressed."""
        team = team_of(snapshot)
        if len(team) != self._team_size:
            self._team_size = len(team)
            if isinstance(self._target, int) and self._target >= len(team):
                self._target = None
            self.refresh_bindings()  # the team's keys show only with a team
        target = self._target
        map_.addressed = target if isinstance(target, int) else None
        if not team:
            telemetry.team = None
            telemetry.drone = snapshot.drone
            return
        indices = addressed_indices(target, snapshot)
        shown = target if isinstance(target, int) else snapshot.duty
        telemetry.team = TeamView(
            team, snapshot.duty, indices, shown, target_label(target, snapshot)
        )
        telemetry.drone = shown_drone(target, snapshot)

    @property
    def shown_snapshot(self) -> SessionSnapshot | None:
        return self._shown

    @property
    def target(self) -> Target:
        """Whom flight commands address: None the drone on duty, a drone's index, or "all"."""
        return self._target

    # -- intents up --------------------------------------------------------------------

    def on_tactical_map_cursor_moved(self, message: TacticalMap.CursorMoved) -> None:
        self._cursor = message.position

    def on_cue_table_highlighted(self, message: CueTable.Highlighted) -> None:
        if (map_ := self._widget(TacticalMap)) is not None:
            map_.highlight_cue_id = message.cue_id

    def on_cue_table_action_requested(self, message: CueTable.ActionRequested) -> None:
        cue = message.cue
        # the table is not changed here: a cue shows as acknowledged only when a
        # snapshot says so, and the session's snapshot says so only once the cue
        # store has the acknowledgement on disk (LiveSession.acknowledge_cue)
        if message.action == "acknowledge":
            self.send(
                f"acknowledge {cue.cue_id}", lambda: self.commands.acknowledge_cue(cue.cue_id)
            )
        elif message.action == "dismiss":
            self.send(f"dismiss {cue.cue_id}", lambda: self.commands.dismiss_cue(cue.cue_id))
        elif message.action == "look":
            self._fly(f"look at {cue.cue_id}", lambda c: c.look_at(cue.position), every=False)
        else:

            def noted(text: str | None) -> None:
                if text:
                    self.send(
                        f"note {cue.cue_id}", lambda: self.commands.note_cue(cue.cue_id, text)
                    )

            self.push_screen(NoteScreen(f"Note on {cue.kind} {cue.cue_id}"), noted)

    # -- commands ----------------------------------------------------------------------

    def send(self, label: str, command: Callable[[], Awaitable[object]]) -> None:
        """Run ``command`` in a worker; log the outcome, show the vehicle's refusal."""
        self.run_worker(self._run(label, command), group="commands", exit_on_error=False)

    async def _run(self, label: str, command: Callable[[], Awaitable[object]]) -> None:
        try:
            result = await command()
        except OverwatchError as exc:
            self._log_local("error", f"{label}: {exc}")
            self.notify(str(exc), title=f"{label} failed", severity="error", timeout=8)
            return
        except Exception as exc:  # a bug in the session must not take the screen down
            self._log_local("error", f"{label}: internal error: {exc!r}")
            self.notify(repr(exc), title=f"{label}: internal error", severity="error", timeout=8)
            return
        done = f"{label}: ok" if result is None else f"{label}: {result}"
        self._log_local("info", done)

    def _log_local(self, level: str, text: str) -> None:
        time_s = self._shown.time_s if self._shown is not None else 0.0
        if (events_log := self._widget(EventsLog)) is not None:
            events_log.add_event(EventLine(time_s, level, text))

    def _addressed(self, *, every: bool = True) -> list[tuple[str, SessionCommands]]:
        """``(" name", commands)`` for each drone a flight command goes to now: the drone,
        or those of the team addressed (``every`` False: with all of them addressed, the one
        on duty alone). The drone on duty is named as it is sent, so the command goes to
        the drone the screen showed on duty when the key was pressed."""
        commands, team = self.commands, team_of(self._shown)
        if not team or not isinstance(commands, TeamCommands):
            return [("", commands)]
        target = None if self._target == ALL and not every else self._target
        return [
            (f" {drone_name(team, i)}", commands.addressed(i))
            for i in addressed_indices(target, self._shown)
        ]

    def _fly(
        self,
        label: str,
        command: Callable[[SessionCommands], Awaitable[object]],
        *,
        every: bool = True,
    ) -> None:
        """Send ``command`` to the drones addressed (see :meth:`_addressed`), one worker each."""
        try:
            addressed = self._addressed(every=every)
        except OverwatchError as exc:  # a drone the session does not have
            self._log_local("error", f"{label}: {exc}")
            self.notify(str(exc), title=f"{label} failed", severity="error", timeout=8)
            return
        for who, commands in addressed:
            self.send(f"{label}{who}", _bound(command, commands))

    def action_start_overwatch(self) -> None:
        self._fly("start overwatch", lambda c: c.start_overwatch(), every=False)

    def action_hold(self) -> None:
        self._fly("hold", lambda c: c.hold())

    def action_resume(self) -> None:
        self._fly("resume", lambda c: c.resume())

    def action_return_to_launch(self) -> None:
        self._fly("RTL", lambda c: c.return_to_launch())

    def action_land(self) -> None:
        self._fly("land", lambda c: c.land())

    def action_start_follow(self) -> None:
        self._fly("FOLLOW baseline", lambda c: c.start_follow_baseline(), every=False)

    def action_cycle_strategy(self) -> None:
        current = self._shown.strategy if self._shown is not None else STRATEGY_CYCLE[-1]
        index = STRATEGY_CYCLE.index(current) if current in STRATEGY_CYCLE else -1
        name = STRATEGY_CYCLE[(index + 1) % len(STRATEGY_CYCLE)]
        self._fly(f"strategy {name}", lambda c: c.set_strategy(name))

    def action_arm_and_takeoff(self) -> None:
        team = team_of(self._shown)
        question = "Arm the drone and take off?"
        if team and self._target == ALL:
            names = ", ".join(drone_name(team, i) for i in range(len(team)))
            question = f"Arm every drone ({names}) and take off?"
        elif team:
            (index,) = addressed_indices(self._target, self._shown)
            question = f"Arm {drone_name(team, index)} and take off?"

        def answered(yes: bool | None) -> None:
            if yes:
                self._fly("arm and take off", lambda c: c.arm_and_takeoff())
            else:
                self._log_local("info", "arm and take off: cancelled")

        self.push_screen(ConfirmScreen(question), answered)

    def action_cycle_drone(self) -> None:
        """Address the next drone of the team (on duty → 1 → 2 … → all → on duty)."""
        snapshot = self._shown
        team = team_of(snapshot)
        if snapshot is None or not team:
            return
        self._target = next_target(self._target, len(team))
        telemetry, map_ = self._widget(TelemetryPanel), self._widget(TacticalMap)
        if telemetry is not None and map_ is not None:
            self._show_team(snapshot, telemetry, map_)
        self._log_local("info", f"commands → {target_label(self._target, snapshot)}")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cycle_drone":
            return bool(team_of(self._shown))  # no such key for a single drone
        return True

    def action_mark_at_cursor(self) -> None:
        if self._cursor is None:
            self.notify("Show the map cursor first (c on the map)", severity="warning")
            return
        self._mark(self._cursor, "at cursor")

    def action_mark_at_camera(self) -> None:
        centre = self._camera_centre()
        if centre is None:
            self.notify("No camera footprint to mark in", severity="warning")
            return
        self._mark(centre, "at camera centre")

    def _mark(self, position: LatLon, where: str) -> None:
        label = f"mark cue {where} {fmt.lat_lon(position)}"
        self.send(label, lambda: self.commands.mark_cue(position, "operator"))

    def _camera_centre(self) -> LatLon | None:
        """The centre of the footprint of the drone shown in the drone panel."""
        if self._shown is None:
            return None
        footprint = shown_drone(self._target, self._shown).footprint
        if len(footprint) < 3:
            return None
        xy = self._scene.to_local(footprint)
        centre = Polygon(xy).centroid
        return self.geometry.frame.to_wgs84(float(centre.x), float(centre.y))

    def action_help(self) -> None:
        team = TEAM_BINDINGS if team_of(self._shown) else ()
        sections = help_sections(APP_BINDINGS, TacticalMap.BINDINGS, CueTable.BINDINGS, team)
        self.push_screen(HelpScreen(sections))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:  # type: ignore[type-arg]
        yield from super().get_system_commands(screen)
        team = TEAM_PALETTE if team_of(self._shown) else ()
        for title, help_, action in (*PALETTE, *team):
            yield SystemCommand(title, help_, getattr(self, f"action_{action}"))


def _bound(
    command: Callable[[SessionCommands], Awaitable[object]], commands: SessionCommands
) -> Callable[[], Awaitable[object]]:
    return lambda: command(commands)


def make_app(
    geometry: MissionGeometry,
    source: SnapshotSource,
    commands: SessionCommands,
    *,
    theme: ThemeName = "dark",
    poll_hz: float = 10.0,
) -> OverwatchApp:
    """The Overwatch UI for one mission, fed by ``source`` and commanding ``commands``."""
    return OverwatchApp(geometry, source, commands, theme=theme, poll_hz=poll_hz)
