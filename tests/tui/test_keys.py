"""Pilot tests: every key binding does what the help screen says."""

from __future__ import annotations

from dataclasses import replace

import pytest
from textual.pilot import Pilot

from overwatch.errors import CommandRejected, LinkTimeout
from overwatch.mission import MissionGeometry
from overwatch.ops.state import SessionSnapshot
from overwatch.tui import OverwatchApp
from overwatch.tui.keys import APP_BINDINGS, help_sections
from overwatch.tui.widgets.cue_table import CueTable, eta_order
from overwatch.tui.widgets.events_log import EventsLog
from overwatch.tui.widgets.tactical_map import TacticalMap
from tests.tui.conftest import ScriptedSession, build_app

SIZE = (120, 40)


async def settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def log_text(app: OverwatchApp) -> str:
    return "\n".join(line.text for line in app.query_one(EventsLog).lines)


COMMAND_KEYS = [
    ("s", ("start_overwatch", ())),
    ("space", ("hold", ())),
    ("r", ("resume", ())),
    ("R", ("return_to_launch", ())),
    ("L", ("land", ())),
    ("f", ("start_follow_baseline", ())),
    ("t", ("set_strategy", ("escort",))),
]


async def test_command_keys_call_the_session(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        for done, (key, call) in enumerate(COMMAND_KEYS, 1):
            await pilot.press(key)
            await settle(pilot)
            assert session.calls[-1] == call, key
            assert len(session.calls) == done
            assert log_text(app).count(": ok") == done


@pytest.mark.parametrize(
    ("flying", "next_one"),
    [
        ("escort", "bounding"),
        ("bounding", "static"),
        ("static", "lead"),
        ("follow-baseline", "lead"),
    ],
)
async def test_strategy_cycles_through_every_guided_strategy_and_back_to_lead(
    geometry: MissionGeometry,
    session: ScriptedSession,
    sample: SessionSnapshot,
    flying: str,
    next_one: str,
) -> None:
    app, _ = build_app(geometry, session, replace(sample, strategy=flying))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("t")
        await settle(pilot)
    assert session.calls == [("set_strategy", (next_one,))]


@pytest.mark.parametrize(
    "error",
    [
        CommandRejected("RTL", 4, "MAV_RESULT_FAILED", "not armed"),
        LinkTimeout("no COMMAND_ACK for RTL after 3 tries"),
    ],
)
async def test_a_refused_command_shows_the_vehicles_answer(
    geometry: MissionGeometry, session: ScriptedSession, error: Exception
) -> None:
    session.refuse["return_to_launch"] = error
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("R")
        await settle(pilot)
        answer = str(error)
        assert answer in log_text(app)
        messages = [n.message for n in app._notifications]
        assert answer in messages
        assert app.is_running  # the screen survives a refusal


async def test_arming_asks_first_and_no_does_nothing(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"
        await pilot.press("s")  # app keys do not leak through the dialog
        await pilot.click("#no")
        await settle(pilot)
        assert type(app.screen).__name__ == "Screen"
        assert session.calls == []
        assert "cancelled" in log_text(app)
        await pilot.press("T")
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("T")
        await pilot.press("enter")  # No has the focus: Enter is a safe default
        await settle(pilot)
        assert session.calls == []


async def test_arming_yes_calls_arm_and_takeoff(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("T")
        await pilot.pause()
        await pilot.click("#yes")
        await settle(pilot)
        assert session.names() == ["arm_and_takeoff"]
        await pilot.press("T")
        await pilot.press("y")
        await settle(pilot)
        assert session.names() == ["arm_and_takeoff", "arm_and_takeoff"]


async def test_help_lists_every_key_and_closes(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "HelpScreen"
        shown = str(app.screen.query_one("#help").render())
        for _, rows in help_sections(APP_BINDINGS, TacticalMap.BINDINGS, CueTable.BINDINGS):
            for key, description in rows:
                assert key in shown and description in shown
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen"
        await pilot.press("question_mark")
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen"
    assert session.calls == []


async def test_q_quits(geometry: MissionGeometry, session: ScriptedSession) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


# -- the map --------------------------------------------------------------------------


async def test_zoom_keys_change_the_scale(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        map_ = app.query_one(TacticalMap)
        assert map_.view is not None
        start = map_.view.m_per_dot
        await pilot.press("plus")
        assert map_.view.m_per_dot == pytest.approx(start / 1.5)
        await pilot.press("minus", "minus")
        assert map_.view.m_per_dot == pytest.approx(start * 1.5, rel=1e-5)
        await pilot.press("0")
        assert map_.view.m_per_dot == pytest.approx(start)


PAN_KEYS = [
    ("left", -1, 0),
    ("h", -1, 0),
    ("right", 1, 0),
    ("l", 1, 0),
    ("up", 0, 1),
    ("k", 0, 1),
    ("down", 0, -1),
    ("j", 0, -1),
]


async def test_pan_keys_move_the_view(geometry: MissionGeometry, session: ScriptedSession) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        map_ = app.query_one(TacticalMap)
        for key, east, north in PAN_KEYS:
            assert map_.view is not None
            x0, y0 = map_.view.centre_x_m, map_.view.centre_y_m
            await pilot.press(key)
            dx, dy = map_.view.centre_x_m - x0, map_.view.centre_y_m - y0
            assert ((dx > 0) - (dx < 0), (dy > 0) - (dy < 0)) == (east, north), key


async def test_centre_on_drone_and_patrol(
    geometry: MissionGeometry, session: ScriptedSession, sample: SessionSnapshot
) -> None:
    app, _ = build_app(geometry, session, sample)
    async with app.run_test(size=SIZE) as pilot:
        map_ = app.query_one(TacticalMap)
        for key, where in (("d", sample.drone.position), ("p", sample.patrol.position)):
            await pilot.press(key)
            assert where is not None and map_.view is not None
            x, y = geometry.frame.to_local(*where)
            assert map_.view.centre_x_m == pytest.approx(x)
            assert map_.view.centre_y_m == pytest.approx(y)


async def test_cursor_moves_by_cells_and_marks_a_cue_there(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        map_ = app.query_one(TacticalMap)
        await pilot.press("m")  # no cursor yet: nothing is marked
        await settle(pilot)
        assert session.calls == []
        await pilot.press("c")
        assert map_.cursor_xy_m is not None and map_.view is not None
        x0, y0 = map_.cursor_xy_m
        centre = (map_.view.centre_x_m, map_.view.centre_y_m)
        await pilot.press("right", "right", "k")
        x1, y1 = map_.cursor_xy_m
        assert x1 - x0 == pytest.approx(2 * 2 * map_.view.m_per_dot, abs=2 * map_.view.m_per_dot)
        assert y1 > y0
        assert (map_.view.centre_x_m, map_.view.centre_y_m) == centre  # cursor, not pan
        assert "cursor" in str(map_.border_subtitle)
        await pilot.press("m")
        await settle(pilot)
        assert session.names() == ["mark_cue"]
        marked = session.calls[0][1][0]
        assert isinstance(marked, tuple)
        x, y = geometry.frame.to_local(float(marked[0]), float(marked[1]))
        assert (x, y) == pytest.approx((x1, y1), abs=0.01)
        await pilot.press("c")
        assert map_.cursor_xy_m is None


async def test_mark_at_camera_centre(
    geometry: MissionGeometry, session: ScriptedSession, sample: SessionSnapshot
) -> None:
    app, _ = build_app(geometry, session, sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("M")
        await settle(pilot)
        assert session.names() == ["mark_cue"]
        position = session.calls[0][1][0]
        footprint = sample.drone.footprint
        lat = sum(p[0] for p in footprint) / len(footprint)
        lon = sum(p[1] for p in footprint) / len(footprint)
        assert position == pytest.approx((lat, lon), abs=5e-4)
        assert "m001" in log_text(app)


# -- the cue list ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "method"),
    [("a", "acknowledge_cue"), ("x", "dismiss_cue"), ("l", "look_at")],
)
async def test_cue_keys_act_on_the_selected_cue(
    geometry: MissionGeometry,
    session: ScriptedSession,
    sample: SessionSnapshot,
    key: str,
    method: str,
) -> None:
    app, _ = build_app(geometry, session, sample)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab")
        assert isinstance(app.focused, CueTable)
        await pilot.press("down")
        await pilot.press(key)
        await settle(pilot)
    second = eta_order(sample.cues)[1]
    expected = second.position if method == "look_at" else second.cue_id
    assert session.calls == [(method, (expected,))]


async def test_note_dialog_sends_the_text_and_escape_cancels(
    geometry: MissionGeometry, session: ScriptedSession, sample: SessionSnapshot
) -> None:
    app, _ = build_app(geometry, session, sample)
    first = eta_order(sample.cues)[0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "n")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteScreen"
        await pilot.press("escape")
        await settle(pilot)
        assert session.calls == []
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"two men, R near wall")
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "Screen"
    # typing R and space in the dialog must not command RTL or hold
    assert session.calls == [("note_cue", (first.cue_id, "two men, R near wall"))]


async def test_help_closes_with_q_without_quitting(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark", "q")
        await pilot.pause()
        assert type(app.screen).__name__ == "Screen"
        assert app.is_running


async def test_command_palette_has_every_command(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=SIZE) as pilot:
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in (
            "Start overwatch",
            "Hold",
            "Resume",
            "Return to launch",
            "Land",
            "Switch strategy",
            "Start FOLLOW baseline",
            "Arm and take off",
            "Mark cue at map cursor",
            "Mark cue at camera centre",
            "Keys",
        ):
            assert title in commands
        commands["Return to launch"].callback()
        commands["Land"].callback()
        await settle(pilot)
        assert session.names() == ["return_to_launch", "land"]
        commands["Arm and take off"].callback()
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmScreen"  # the palette asks too
