"""The app follows its sample source: new snapshots, link loss, events, push sources."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from overwatch.mission import MissionGeometry
from overwatch.ops.state import EventLine, SessionSnapshot
from overwatch.tui import LatestSnapshot, make_app
from overwatch.tui.sample import T0_S, synthetic_snapshot
from overwatch.tui.widgets.cue_table import CueTable
from overwatch.tui.widgets.events_log import EventsLog
from overwatch.tui.widgets.tactical_map import TacticalMap
from overwatch.tui.widgets.telemetry import TelemetryPanel
from overwatch.tui.widgets.video import VideoPanel
from tests.tui.conftest import ScriptedSession, build_app, wait_until

SIZE = (120, 40)


def panel_text(app: object, widget: type[TelemetryPanel]) -> str:
    return str(app.query_one(widget).render())  # type: ignore[attr-defined]


async def test_the_timer_picks_up_new_snapshots(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    first = synthetic_snapshot(geometry, station_m=1_000.0)
    second = synthetic_snapshot(geometry, station_m=2_000.0, time_s=T0_S + 1.0)
    app, source = build_app(geometry, session, first, second)
    async with app.run_test(size=SIZE) as pilot:
        assert app.shown_snapshot is first
        source.advance()
        await wait_until(pilot, lambda: app.shown_snapshot is second)  # the 10 Hz poll
        assert app.query_one(TacticalMap).snapshot is second


async def test_link_lost_is_shown_with_the_age_of_the_last_message(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    live = synthetic_snapshot(geometry)
    lost = synthetic_snapshot(geometry, link_lost=True, time_s=T0_S + 12.0)
    app, source = build_app(geometry, session, live, lost)
    async with app.run_test(size=SIZE) as pilot:
        panel = app.query_one(TelemetryPanel)
        assert "LINK LOST" not in panel_text(app, TelemetryPanel)
        assert not panel.has_class("-link-lost")
        source.advance()
        app.poll_source()
        await pilot.pause()
        assert "LINK LOST 12.4 s" in panel_text(app, TelemetryPanel)
        assert panel.has_class("-link-lost")
        assert "LINK LOST 12.4 s" in str(app.query_one(TacticalMap).border_title)
        # the rest of the screen still answers
        await pilot.press("plus")
        await pilot.press("s")
        await pilot.app.workers.wait_for_complete()
    assert session.names() == ["start_overwatch"]


async def test_events_are_appended_once(
    geometry: MissionGeometry, session: ScriptedSession, sample: SessionSnapshot
) -> None:
    extra = EventLine(sample.time_s + 1.0, "warning", "FAILSAFE battery low")
    later = replace(sample, time_s=sample.time_s + 1.0, events=(*sample.events, extra))
    app, source = build_app(geometry, session, sample, later)
    async with app.run_test(size=SIZE) as pilot:
        log = app.query_one(EventsLog)
        await pilot.pause()
        assert len(log.lines) == len(sample.events)
        source.advance()
        app.poll_source()
        app.poll_source()
        await pilot.pause()
        texts = [line.text for line in log.lines]
        assert len(texts) == len(sample.events) + 1
        assert texts[-1].endswith("FAILSAFE battery low")


async def test_cue_table_keeps_the_selection_when_cues_change(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    first = synthetic_snapshot(geometry, n_cues=20)
    older = synthetic_snapshot(geometry, n_cues=20, age_offset_s=30.0, time_s=T0_S + 30.0)
    fewer = replace(older, cues=older.cues[5:])
    app, source = build_app(geometry, session, first, older, fewer)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(CueTable)
        await pilot.press("tab", "down", "down", "down")
        chosen = table.selected_cue
        assert chosen is not None
        assert app.query_one(TacticalMap).highlight_cue_id == chosen.cue_id
        for _ in range(2):
            source.advance()
            app.poll_source()
            shown = app.shown_snapshot
            assert shown is not None
            expected = {c.cue_id: c for c in shown.cues}
            await wait_until(pilot, lambda e=expected: table._by_id == e)  # type: ignore[misc]
            assert table.selected_cue is not None
            if any(c.cue_id == chosen.cue_id for c in app.shown_snapshot.cues):  # type: ignore[union-attr]
                assert table.selected_cue.cue_id == chosen.cue_id
        assert table.row_count == 15


async def test_video_panel_says_no_video_without_a_frame(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    blank = synthetic_snapshot(geometry, with_video=False)
    app, _ = build_app(geometry, session, blank)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        video = app.query_one(VideoPanel)
        text = "".join(video.render_line(y).text for y in range(video.size.height))
        assert "no video" in text
        assert "▀" not in text


async def test_a_push_source_is_followed_without_polling(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    holder = LatestSnapshot(synthetic_snapshot(geometry))
    app = make_app(geometry, holder, session, poll_hz=0.1)  # polls too rarely to matter
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        pushed = synthetic_snapshot(geometry, station_m=5_000.0, time_s=T0_S + 5.0)
        holder.publish(pushed)
        for _ in range(200):
            await asyncio.sleep(0.01)
            if app.shown_snapshot is pushed:
                break
        assert app.shown_snapshot is pushed


async def test_light_theme_is_applied(geometry: MissionGeometry, session: ScriptedSession) -> None:
    app, _ = build_app(geometry, session, theme="light")
    async with app.run_test(size=SIZE):
        assert app.theme == "overwatch-light"
        assert app.query_one(TacticalMap).dark is False


async def test_a_dismissed_cue_is_dimmed_across_its_row(
    geometry: MissionGeometry, session: ScriptedSession, sample: SessionSnapshot
) -> None:
    fresh = replace(sample.cues[0], status="new")
    dismissed = replace(fresh, status="dismissed")
    before = replace(sample, cues=(fresh,))
    after = replace(sample, time_s=sample.time_s + 1.0, cues=(dismissed,))
    app, source = build_app(geometry, session, before, after)
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(CueTable)
        assert all("dim" not in str(cell.style) for cell in table.get_row(fresh.cue_id)[1:])
        source.advance()
        app.poll_source()
        await wait_until(pilot, lambda: "dism" in table.get_row(fresh.cue_id)[-1].plain)
        row = table.get_row(fresh.cue_id)
        assert row[-1].plain.startswith("dism")
        assert all("dim" in str(cell.style) for cell in row)


async def test_resizing_switches_the_wide_layout(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    app, _ = build_app(geometry, session)
    async with app.run_test(size=(80, 24)) as pilot:
        assert not app.screen.has_class("-wide")
        await pilot.resize_terminal(160, 48)
        await pilot.pause()
        assert app.screen.has_class("-wide")


async def test_what_arrives_while_the_app_closes_is_dropped_without_an_error(
    geometry: MissionGeometry, session: ScriptedSession
) -> None:
    # closing removes the widgets while a poll, a cue-table message or a command's answer
    # may still arrive: none of them may fail the app on its way out
    first = synthetic_snapshot(geometry, station_m=1_000.0)
    second = synthetic_snapshot(geometry, station_m=2_000.0, time_s=T0_S + 1.0)
    app, _source = build_app(geometry, session, first, second)
    async with app.run_test(size=SIZE) as pilot:
        for kind in (TacticalMap, EventsLog):
            await app.query_one(kind).remove()
        app.on_cue_table_highlighted(CueTable.Highlighted("cue-0001"))
        app.show_snapshot(second)
        app._log_local("info", "an answer after the screen went")
        await pilot.pause()
        assert app.shown_snapshot is first  # nothing to show it on
