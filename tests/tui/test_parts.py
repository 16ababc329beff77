"""The UI's pure parts: projection, braille canvas, map scene, bars, ordering, sources."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from textual.strip import Strip

from overwatch.mission import MissionGeometry
from overwatch.ops.state import CoverageView, SessionSnapshot, Severity
from overwatch.tui import LatestSnapshot, make_app
from overwatch.tui.canvas import BrailleCanvas
from overwatch.tui.keys import APP_BINDINGS, help_sections
from overwatch.tui.map_scene import MapOverlay, MapScene
from overwatch.tui.palette import DARK_MAP, SEVERITY_GLYPH
from overwatch.tui.projection import MapView
from overwatch.tui.sample import synthetic_snapshot
from overwatch.tui.widgets.coverage import coverage_cells, coverage_label
from overwatch.tui.widgets.cue_table import CueTable, cue_cells, eta_order
from overwatch.tui.widgets.tactical_map import TacticalMap
from overwatch.tui.widgets.video import fit_frame, half_block_strips
from tests.tui.conftest import ScriptedSession


def text_of(strips: list[Strip]) -> str:
    return "\n".join(s.text for s in strips)


def test_projection_round_trips_cells() -> None:
    view = MapView(100.0, -50.0, 3.0)
    for col, row in [(0, 0), (39, 11), (17, 5)]:
        x, y = view.metres_of_cell(col, row, 40, 12)
        assert view.cell_of(x, y, 40, 12) == (col, row)
    assert view.zoomed(2.0).m_per_dot == 1.5
    fitted = MapView.fitting((0.0, 0.0, 8000.0, 1000.0), 40, 10)
    min_x, min_y, max_x, max_y = fitted.bounds_m(40, 10)
    assert min_x <= 0.0 and max_x >= 8000.0 and min_y <= 0.0 and max_y >= 1000.0


def test_braille_canvas_sets_dots_and_layers() -> None:
    canvas = BrailleCanvas(2, 1)
    canvas.plot(np.array([0.5, 1.5]), np.array([0.5, 3.5]), 1)  # dots (0,0) and (1,3)
    canvas.plot(np.array([2.5]), np.array([0.5]), 2)
    canvas.plot(np.array([-5.0, 99.0]), np.array([0.0, 0.0]), 3)  # off the canvas: ignored
    strips = canvas.strips([DARK_MAP.background, DARK_MAP.route, DARK_MAP.border], DARK_MAP.text)
    assert strips[0].text == chr(0x2800 + 0x01 + 0x80) + chr(0x2800 + 0x01)
    styles = [seg.style for seg in strips[0]]
    assert styles == [DARK_MAP.route, DARK_MAP.border]


def test_map_shows_the_mission_patrol_drone_and_cues(
    geometry: MissionGeometry, sample: SessionSnapshot
) -> None:
    scene = MapScene(geometry)
    view = MapView.fitting(scene.home_bounds_m(), 100, 30)
    empty = text_of(scene.draw(None, view, 100, 30, DARK_MAP))
    full = text_of(scene.draw(sample, view, 100, 30, DARK_MAP))
    assert "H" in empty and empty.count("R") >= 2 and "N↑" in empty and "km" in empty
    assert any(0x2800 < ord(ch) <= 0x28FF for ch in empty)  # the route and areas
    assert any(ch in full for ch in "▲◥▶◢▼◣◀◤")  # patrol
    assert any(ch in full for ch in "↑↗→↘↓↙←↖")  # drone
    assert sum(full.count(g) for g in SEVERITY_GLYPH.values()) >= len(sample.cues) // 2
    cursor = text_of(scene.draw(None, view, 100, 30, DARK_MAP, MapOverlay((0.0, 0.0))))
    assert "┼" in cursor


def test_the_most_severe_cue_wins_a_shared_cell(
    geometry: MissionGeometry, sample: SessionSnapshot
) -> None:
    from dataclasses import replace

    base = sample.cues[0]
    cues = (
        replace(base, cue_id="a", severity=Severity.CRITICAL, status="new"),
        replace(base, cue_id="b", severity=Severity.LOW, status="new"),
    )
    scene = MapScene(geometry)
    view = MapView.fitting(scene.home_bounds_m(), 80, 20)
    text = text_of(scene.draw(replace(sample, cues=cues), view, 80, 20, DARK_MAP))
    assert SEVERITY_GLYPH[Severity.CRITICAL] in text
    assert SEVERITY_GLYPH[Severity.LOW] not in text


def test_map_draws_500_cues(geometry: MissionGeometry) -> None:
    # how fast is measured in benchmarks/bench_tui.py (a ratio to the empty map);
    # here: a busy picture is drawn whole, the same each time, and shows the cues
    scene = MapScene(geometry)
    busy = synthetic_snapshot(geometry, n_cues=500)
    view = MapView.fitting(scene.home_bounds_m(), 150, 40)
    first = scene.draw(busy, view, 150, 40, DARK_MAP)
    assert len(first) == 40 and all(strip.cell_length == 150 for strip in first)
    again = [scene.draw(busy, view, 150, 40, DARK_MAP) for _ in range(3)]
    assert all(text_of(strips) == text_of(first) for strips in again)
    text = text_of(first)
    present = {c.severity for c in busy.cues}
    top = max(present, key=lambda s: list(Severity).index(s))
    assert SEVERITY_GLYPH[top] in text
    assert sum(text.count(g) for g in SEVERITY_GLYPH.values()) >= 50


def test_tiny_and_zero_sizes_do_not_fail(
    geometry: MissionGeometry, sample: SessionSnapshot
) -> None:
    scene = MapScene(geometry)
    view = MapView.fitting(scene.home_bounds_m(), 1, 1)
    assert scene.draw(sample, view, 0, 0, DARK_MAP) == []
    assert len(scene.draw(sample, view, 1, 1, DARK_MAP)) == 1


def test_coverage_cells_mark_watched_unwatched_and_patrol() -> None:
    cov = CoverageView(0.4, 400.0, ((700.0, 900.0),))
    cells = coverage_cells(cov, 1000.0, 250.0, 10)
    assert cells == "██▲█···░░·"
    assert coverage_cells(cov, 0.0, None, 10) == ""


def test_cues_are_ordered_by_eta_passed_last(sample: SessionSnapshot) -> None:
    ordered = eta_order(sample.cues)
    etas = [c.eta_s for c in ordered]
    ahead = [e for e in etas if e is not None]
    assert ahead == sorted(ahead)
    assert etas[len(ahead) :] == [None] * (len(etas) - len(ahead))
    assert cue_cells(ordered[-1])[3] == "passed"


def test_half_block_video_keeps_aspect_and_colours() -> None:
    frame = np.zeros((4, 8, 3), dtype=np.uint8)
    frame[:2] = (255, 0, 0)
    frame[2:] = (0, 0, 255)
    pixels = fit_frame(frame, 16, 8)
    assert pixels.shape == (8, 16, 3)
    strips = half_block_strips(fit_frame(frame, 8, 2), 8, DARK_MAP.background)
    assert [s.text for s in strips] == ["▀" * 8, "▀" * 8]
    top = next(iter(strips[0])).style
    assert top is not None and top.color is not None and top.color.triplet == (255, 0, 0)


def test_help_has_a_row_for_every_binding() -> None:
    sections = help_sections(APP_BINDINGS, TacticalMap.BINDINGS, CueTable.BINDINGS)
    rows = [row for _, section in sections for row in section]
    assert len(rows) == len(APP_BINDINGS) + len(TacticalMap.BINDINGS) + len(CueTable.BINDINGS) + 1
    assert ("?", "Help") in rows and ("T", "arm and take off (asks first)") in rows


async def test_latest_snapshot_pushes_changes(geometry: MissionGeometry) -> None:
    first = synthetic_snapshot(geometry, n_cues=1)
    holder = LatestSnapshot(first)
    stream = holder.changes()
    waiting = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0)
    second = synthetic_snapshot(geometry, n_cues=2)
    holder.publish(second)
    assert await asyncio.wait_for(waiting, 1.0) is second
    assert holder.latest() is second
    await stream.aclose()  # type: ignore[attr-defined]


def test_make_app_rejects_a_bad_theme(geometry: MissionGeometry) -> None:
    holder = LatestSnapshot(synthetic_snapshot(geometry, n_cues=0))
    with pytest.raises(ValueError, match="theme must be one of"):
        make_app(geometry, holder, ScriptedSession(), theme="sepia")  # type: ignore[arg-type]


def test_the_coverage_label_shows_the_plan_beside_the_live_figure() -> None:
    assert coverage_label(CoverageView(0.912, planned=0.969)) == "Lead cov 91% (plan 97%) "
    assert coverage_label(CoverageView(0.912)) == "Lead cov 91% "
    assert coverage_label(CoverageView()) == "Lead cov — "
