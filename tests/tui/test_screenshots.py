"""Screenshots (pytest-textual-snapshot): the baselines live in ``__snapshots__``.

Rendering depends only on the snapshot shown (fixed ``time_s``, ages taken
from the snapshot), so these are deterministic. Update them after an intended
change with ``pytest --snapshot-update tests/tui``.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.pilot import Pilot

from overwatch.mission import MissionGeometry
from overwatch.tui.sample import synthetic_snapshot, synthetic_team_snapshot
from tests.tui.conftest import ScriptedSession, build_app

SnapCompare = Callable[..., bool]


def test_main_screen_80x24(snap_compare: SnapCompare, geometry: MissionGeometry) -> None:
    app, _ = build_app(geometry, ScriptedSession(), synthetic_snapshot(geometry))
    assert snap_compare(app, terminal_size=(80, 24))


def test_main_screen_160x48(snap_compare: SnapCompare, geometry: MissionGeometry) -> None:
    app, _ = build_app(geometry, ScriptedSession(), synthetic_snapshot(geometry, n_cues=40))
    assert snap_compare(app, terminal_size=(160, 48))


def test_link_lost(snap_compare: SnapCompare, geometry: MissionGeometry) -> None:
    lost = synthetic_snapshot(geometry, link_lost=True, with_video=False)
    app, _ = build_app(geometry, ScriptedSession(), lost)
    assert snap_compare(app, terminal_size=(120, 36))


def test_help_screen(snap_compare: SnapCompare, geometry: MissionGeometry) -> None:
    app, _ = build_app(geometry, ScriptedSession(), synthetic_snapshot(geometry))
    assert snap_compare(app, terminal_size=(100, 48), press=["question_mark"])


def test_light_theme_with_cursor(snap_compare: SnapCompare, geometry: MissionGeometry) -> None:
    app, _ = build_app(geometry, ScriptedSession(), synthetic_snapshot(geometry), theme="light")

    async def place_cursor(pilot: Pilot[None]) -> None:
        await pilot.press("c", "right", "right", "up")

    assert snap_compare(app, terminal_size=(120, 36), run_before=place_cursor)


def test_arming_confirmation(snap_compare: SnapCompare, geometry: MissionGeometry) -> None:
    app, _ = build_app(geometry, ScriptedSession(), synthetic_snapshot(geometry))
    assert snap_compare(app, terminal_size=(100, 30), press=["T"])


def test_a_team_with_the_second_drone_addressed(
    snap_compare: SnapCompare, geometry: MissionGeometry
) -> None:
    app, _ = build_app(geometry, ScriptedSession(), synthetic_team_snapshot(geometry))
    assert snap_compare(app, terminal_size=(120, 40), press=["v", "v"])
