"""A team on the screen: every drone on the map and in the drone panel, and the operator
addressing one drone, or all of them (issue 14 §4)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from rich.style import Style
from textual.pilot import Pilot
from textual.strip import Strip

from overwatch.errors import CommandRejected
from overwatch.guidance.types import OperatorOverride
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.ops.state import SessionSnapshot
from overwatch.tui import OverwatchApp, make_app
from overwatch.tui.map_scene import MapScene
from overwatch.tui.palette import DARK_MAP
from overwatch.tui.projection import MapView
from overwatch.tui.sample import synthetic_snapshot, synthetic_team_snapshot
from overwatch.tui.widgets.events_log import EventsLog
from overwatch.tui.widgets.tactical_map import TacticalMap
from overwatch.tui.widgets.telemetry import TelemetryPanel
from tests.tui.conftest import ScriptedSession, ScriptedTeam, SteppedSource, build_app

SIZE = (120, 40)
RELIEF = Path(__file__).resolve().parents[2] / "missions" / "relief-patrol.yaml"


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def log_text(app: OverwatchApp) -> str:
    return "\n".join(line.text for line in app.query_one(EventsLog).lines)


def panel(app: OverwatchApp) -> tuple[str, str]:
    """The drone panel's title and text."""
    telemetry = app.query_one(TelemetryPanel)
    return str(telemetry.border_title), str(telemetry.render())


def cells_styled(strips: list[Strip], style: Style) -> int:
    return sum(len(seg.text) for strip in strips for seg in strip if seg.style == style)


def test_the_map_draws_every_drone_tagged_with_the_one_on_duty_reversed(
    geometry: MissionGeometry,
) -> None:
    scene = MapScene(geometry)
    view = MapView.fitting(scene.home_bounds_m(), 160, 48)
    team = synthetic_team_snapshot(geometry, n_cues=0)
    lone = synthetic_snapshot(geometry, n_cues=0)
    team_map = scene.draw(team, view, 160, 48, DARK_MAP)
    lone_map = scene.draw(lone, view, 160, 48, DARK_MAP)
    segments = [seg for strip in team_map for seg in strip]
    tagged = {seg.text[-1]: seg.style for seg in segments if seg.text[-1:] in "12"}
    assert set(tagged) == {"1", "2"}, "each drone carries its tag"
    duty = DARK_MAP.drone + Style(reverse=True)
    assert tagged["1"] == duty and tagged["2"] == DARK_MAP.drone
    # the relief's footprint and trail are drawn beside the first drone's
    footprint = DARK_MAP.footprint
    assert cells_styled(team_map, footprint) > cells_styled(lone_map, footprint)
    trail = DARK_MAP.drone
    assert cells_styled(team_map, trail) > cells_styled(lone_map, trail)
    # no drone on duty yet: none is reversed
    waiting = scene.draw(replace(team, duty=None), view, 160, 48, DARK_MAP)
    assert not any(seg.style == duty for strip in waiting for seg in strip)
    # a lone drone has no tag
    assert not any(seg.text.endswith(("→1", "↗1", "↑1")) for strip in lone_map for seg in strip)


async def test_the_drone_panel_lists_the_team_and_whom_commands_address(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session, synthetic_team_snapshot(geometry))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        title, text = panel(app)
        assert title == "Team · cmds → on duty (Hexa-1)"
        lines = text.splitlines()
        assert lines[0] == "▸1 Hexa-1  on station"
        assert lines[1].split() == ["GUIDED", "80", "m", "64%"]
        assert lines[2] == " 2 Hexa-2  to station"
        assert lines[3].split() == ["GUIDED", "65", "m", "97%"]
        assert lines[4].startswith("1: GUIDED  ARMED")  # the details of the drone on duty
        expected = [
            ("Hexa-1", ["▸1", " 2"], "1: "),
            ("Hexa-2", [" 1", "▸2"], "2: "),
            ("all drones", ["▸1", "▸2"], "1: "),
            ("on duty (Hexa-1)", ["▸1", " 2"], "1: "),
        ]
        for label, marks, details in expected:
            await pilot.press("v")
            await pilot.pause()
            title, text = panel(app)
            lines = text.splitlines()
            assert title == f"Team · cmds → {label}"
            assert [lines[0][:2], lines[2][:2]] == marks, label
            assert lines[4].startswith(details), label
        assert "commands → Hexa-2" in log_text(app)
        # the relief's battery and altitude in its details when it is addressed
        await pilot.press("v", "v")
        await pilot.pause()
        assert "Alt 65.0 m rel" in panel(app)[1] and "Bat 97%" in panel(app)[1]


async def test_a_drone_whose_link_is_lost_says_so_on_its_line(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    team = synthetic_team_snapshot(geometry)
    lost = replace(team.drones[1], link_lost=True, last_message_age_s=7.0, role="lost")
    app, _ = build_app(geometry, session, replace(team, drones=(team.drones[0], lost)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = panel(app)[1].splitlines()
        assert lines[2] == " 2 Hexa-2  lost"
        assert "LINK LOST 7.0 s" in lines[3]
        # the panel's border warns when the drone shown is the one lost
        assert not app.query_one(TelemetryPanel).has_class("-link-lost")
        await pilot.press("v", "v")
        await pilot.pause()
        assert app.query_one(TelemetryPanel).has_class("-link-lost")


async def test_commands_go_to_the_drone_addressed_and_all_to_every_drone(
    geometry: MissionGeometry,
) -> None:
    team = ScriptedTeam()
    app, _ = build_app(geometry, team, synthetic_team_snapshot(geometry, duty=1))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space")  # the drone on duty: Hexa-2
        await settle(pilot)
        assert team.sent == [(1, "hold")]
        await pilot.press("v", "r")  # Hexa-1
        await settle(pilot)
        assert team.sent[-1] == (0, "resume")
        await pilot.press("v", "v", "R")  # Hexa-2, then all
        await settle(pilot)
        assert sorted(team.sent[2:]) == [(0, "return_to_launch"), (1, "return_to_launch")]
        log = log_text(app)
        assert "RTL Hexa-1: ok" in log and "RTL Hexa-2: ok" in log and "hold Hexa-2: ok" in log
        del team.sent[:]
        for key in ("space", "r", "L", "t"):
            await pilot.press(key)
            await settle(pilot)
        names = ["hold", "resume", "land", "set_strategy"]
        assert sorted(team.sent) == sorted([(i, n) for n in names for i in (0, 1)])
        del team.sent[:]
        # with all addressed, start and FOLLOW go to the drone on duty alone
        await pilot.press("s", "f")
        await settle(pilot)
        assert team.sent == [(1, "start_overwatch"), (1, "start_follow_baseline")]
        assert team.calls == [], "nothing went to the team unaddressed"


async def test_one_drone_refusing_leaves_the_others_command_done(
    geometry: MissionGeometry,
) -> None:
    team = ScriptedTeam()
    team.refuse_drone[0] = {"land": CommandRejected("LAND", 4, "MAV_RESULT_FAILED", "not armed")}
    app, _ = build_app(geometry, team, synthetic_team_snapshot(geometry))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v", "v", "L")  # all
        await settle(pilot)
        assert sorted(team.sent) == [(0, "land"), (1, "land")]
        log = log_text(app)
        assert "land Hexa-1: LAND rejected" in log
        assert any("not armed" in n.message for n in app._notifications)
        assert "land Hexa-2: ok" in log
        assert app.is_running


async def test_arming_every_drone_asks_first_naming_them(geometry: MissionGeometry) -> None:
    team = ScriptedTeam()
    app, _ = build_app(geometry, team, synthetic_team_snapshot(geometry))  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v", "T")  # Hexa-2
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        assert "Arm Hexa-2 and take off?" in str(app.screen.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot)
        assert team.sent == []
        await pilot.press("v", "T")  # all
        await pilot.pause()
        question = str(app.screen.query_one("#question").render())
        assert "Arm every drone (Hexa-1, Hexa-2) and take off?" in question
        await pilot.press("enter")  # No has the focus
        await settle(pilot)
        assert team.sent == []
        await pilot.press("T")
        await pilot.press("y")
        await settle(pilot)
        assert sorted(team.sent) == [(0, "arm_and_takeoff"), (1, "arm_and_takeoff")]


async def test_centre_and_mark_follow_the_drone_addressed(geometry: MissionGeometry) -> None:
    team = ScriptedTeam()
    snapshot = synthetic_team_snapshot(geometry)
    app, _ = build_app(geometry, team, snapshot)  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("v", "v", "d")  # Hexa-2, centre on it
        await pilot.pause()
        view = app.query_one(TacticalMap).view
        assert view is not None
        x, y = geometry.frame.to_local(*snapshot.drones[1].position)  # type: ignore[misc]
        assert abs(view.centre_x_m - x) < 1.0 and abs(view.centre_y_m - y) < 1.0
        await pilot.press("M")
        await settle(pilot)
        assert team.calls[-1][0] == "mark_cue"  # a cue is the session's, not a drone's
        (lat, lon) = team.calls[-1][1][0]  # type: ignore[misc]
        corners = snapshot.drones[1].footprint
        assert min(c[0] for c in corners) < lat < max(c[0] for c in corners)
        assert min(c[1] for c in corners) < lon < max(c[1] for c in corners)


async def test_the_team_key_and_help_show_only_with_a_team(
    geometry: MissionGeometry, session: ScriptedSession, sample: SessionSnapshot
) -> None:
    named = replace(sample, drones=(replace(sample.drone, name="Quad-1", sysid=1),))
    app, _ = build_app(geometry, session, named)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert panel(app)[0] == "Drone"  # a live single drone, named: the panel as before
        assert "Quad-1" not in panel(app)[1]
        assert app.check_action("cycle_drone", ()) is False
        await pilot.press("v", "space")
        await settle(pilot)
        assert session.calls == [("hold", ())] and "commands →" not in log_text(app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "Team" not in str(app.screen.query_one("#help").render())
    app, _ = build_app(geometry, session, synthetic_team_snapshot(geometry))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.check_action("cycle_drone", ()) is True
        await pilot.press("question_mark")
        await pilot.pause()
        shown = str(app.screen.query_one("#help").render())
        assert "Team (commands go to the drone addressed)" in shown
        assert "on duty → 1 → 2 … → all → on duty" in shown


async def test_a_live_team_session_takes_each_command_on_the_drone_addressed() -> None:
    """The real session's commands (no vehicle: nothing flies), through the real UI."""
    geometry = MissionGeometry.of(load_mission(RELIEF))
    session = LiveSession(
        geometry,
        SessionConfig(connect="udpin:127.0.0.1:0", patrol_feed="nmea+udp://127.0.0.1:0"),
    )
    try:
        snapshot = session.snapshot()
        assert [d.name for d in snapshot.drones] == ["Hexa-1", "Hexa-2"]
        app = make_app(geometry, SteppedSource([snapshot]), session.commands)
        guidance = [crew.controller.guidance for crew in session.crews]

        def overrides() -> list[OperatorOverride | None]:
            return [g._operator for g in guidance]  # what each drone's guidance was told

        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert panel(app)[0] == "Team · cmds → on duty (Hexa-1)"
            assert "not heard" in panel(app)[1]
            await pilot.press("v", "v", "space")  # Hexa-2 holds
            await settle(pilot)
            assert overrides() == [None, OperatorOverride.HOLD]
            await pilot.press("v", "space")  # all hold
            await settle(pilot)
            assert overrides() == [OperatorOverride.HOLD, OperatorOverride.HOLD]
            await pilot.press("v", "r")  # the drone on duty (the first, none yet) resumes
            await settle(pilot)
            assert overrides() == [None, OperatorOverride.HOLD]
            await pilot.press("v", "v", "v", "R")  # all: no vehicle is connected
            await settle(pilot)
            log = log_text(app)
            assert "RTL Hexa-1: no vehicle connected" in log
            assert "RTL Hexa-2: no vehicle connected" in log
    finally:
        await session.close()
