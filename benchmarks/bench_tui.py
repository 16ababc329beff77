"""Terminal UI: screen refresh cost and UI CPU load with 500 cues at 10 Hz.

The app runs headless (``App.run_test()``) at 160×48, fed synthetic snapshots
(patrol and drone moving, cue ages ticking). Baseline, same run, same app:
empty snapshots (no drone, no patrol, no cues, no video).

* refresh: CPU time (``time.process_time``) from handing the app a new
  snapshot to the screen being repainted (``pilot.pause()`` repaints the
  dirty widgets); CPU rather than wall time because the pilot's idle
  detection sleeps 20 ms per call, which is not work. Target: median < 50 ms.
* map draw: wall time of one :meth:`MapScene.draw` of the 150×40 tactical
  map with 500 cues (median of 10), against the same scene with no cues.
  Target: < 50 ms.
* load: process CPU time / wall time while snapshots arrive at 10 Hz for
  ~10 s (3 s with ``--quick``), polled by the app's own timer, as in the
  field. Target: < 30 % of one core.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import replace
from pathlib import Path

from benchmarks.harness import Result, median_time_s
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.state import SessionSnapshot
from overwatch.tui import LatestSnapshot, make_app
from overwatch.tui.map_scene import MapScene
from overwatch.tui.palette import DARK_MAP
from overwatch.tui.projection import MapView
from overwatch.tui.sample import T0_S, synthetic_snapshot

GROUP = "tui"
SIZE = (160, 48)
CUES = 500
MISSION = Path(__file__).resolve().parents[1] / "missions" / "vehicle-patrol.yaml"


class _Idle:
    """Commands are never sent in this benchmark."""

    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"the benchmark sent a command: {name}")


def busy_snapshots(geometry: MissionGeometry, count: int) -> list[SessionSnapshot]:
    """``count`` snapshots 0.1 s apart: patrol and drone moving, 500 cues ageing."""
    base = synthetic_snapshot(geometry, n_cues=CUES)
    out = []
    for i in range(count):
        t = T0_S + 0.1 * i
        moving = synthetic_snapshot(geometry, time_s=t, station_m=3_000.0 + 0.83 * i, n_cues=0)
        cues = tuple(
            replace(
                c,
                age_s=c.age_s + 0.1 * i,
                eta_s=None if c.eta_s is None else max(0.0, c.eta_s - 0.1 * i),
            )
            for c in base.cues
        )
        out.append(replace(moving, cues=cues, events=base.events))
    return out


def empty_snapshots(count: int) -> list[SessionSnapshot]:
    return [SessionSnapshot(time_s=T0_S + 0.1 * i) for i in range(count)]


async def _refresh_cpu_s(
    geometry: MissionGeometry, snapshots: list[SessionSnapshot]
) -> tuple[float, float]:
    """Median and 95th percentile CPU seconds from show_snapshot to repainted screen."""
    holder = LatestSnapshot(snapshots[0])
    app = make_app(geometry, holder, _Idle(), poll_hz=1.0)  # type: ignore[arg-type]
    samples = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for snapshot in snapshots[1:]:
            start = time.process_time()
            app.show_snapshot(snapshot)
            await pilot.pause()
            samples.append(time.process_time() - start)
    kept = sorted(samples[2:])
    return statistics.median(kept), kept[min(len(kept) - 1, int(0.95 * len(kept)))]


async def _cpu_fraction(
    geometry: MissionGeometry, snapshots: list[SessionSnapshot], seconds: float
) -> float:
    """Process CPU time / wall time while snapshots are published at 10 Hz."""
    holder = LatestSnapshot(snapshots[0])
    app = make_app(geometry, holder, _Idle())  # type: ignore[arg-type]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await asyncio.sleep(0.5)  # settle: first full paint, caches
        cpu0, wall0 = time.process_time(), time.perf_counter()
        i = 0
        while time.perf_counter() - wall0 < seconds:
            i += 1
            holder.publish(snapshots[i % len(snapshots)])
            await asyncio.sleep(0.1)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return cpu / wall


def map_draw_s(geometry: MissionGeometry, n_cues: int, repeat: int) -> float:
    """Median wall seconds of one 150×40 map draw with ``n_cues`` cues."""
    scene = MapScene(geometry)
    snapshot = synthetic_snapshot(geometry, n_cues=n_cues)
    view = MapView.fitting(scene.home_bounds_m(), 150, 40)
    return median_time_s(lambda: scene.draw(snapshot, view, 150, 40, DARK_MAP), repeat=repeat)


def run(quick: bool) -> list[Result]:
    geometry = MissionGeometry.of(load_mission(MISSION))
    repeat = 5 if quick else 10
    draw_busy = map_draw_s(geometry, CUES, repeat)
    draw_empty = map_draw_s(geometry, 0, repeat)
    count = 30 if quick else 100
    busy = busy_snapshots(geometry, count)
    empty = empty_snapshots(count)
    seconds = 3.0 if quick else 10.0

    refresh_busy, refresh_busy_p95 = asyncio.run(_refresh_cpu_s(geometry, busy))
    refresh_empty, _ = asyncio.run(_refresh_cpu_s(geometry, empty))
    load_busy = asyncio.run(_cpu_fraction(geometry, busy, seconds))
    load_empty = asyncio.run(_cpu_fraction(geometry, empty, seconds))
    return [
        Result(
            group=GROUP,
            name=f"tactical map draw, {CUES} cues, 150x40",
            value=draw_busy * 1000.0,
            unit="ms",
            baseline_name="same map, no cues",
            baseline_value=draw_empty * 1000.0,
            target="median < 50 ms",
            ok=draw_busy < 0.050,
        ),
        Result(
            group=GROUP,
            name=f"refresh CPU per snapshot, {CUES} cues, {SIZE[0]}x{SIZE[1]}",
            value=refresh_busy * 1000.0,
            unit="ms",
            baseline_name="same app, empty snapshots",
            baseline_value=refresh_empty * 1000.0,
            target="median < 50 ms",
            ok=refresh_busy < 0.050,
            note=f"p95 {refresh_busy_p95 * 1000.0:.1f} ms (snapshots that also redraw the cue list,"
            " which is redrawn at most twice a second)",
        ),
        Result(
            group=GROUP,
            name=f"UI process CPU at 10 Hz, {CUES} cues, {seconds:.0f} s",
            value=load_busy * 100.0,
            unit="% of a core",
            baseline_name="same app, empty snapshots",
            baseline_value=load_empty * 100.0,
            target="< 30 % of one core",
            ok=load_busy < 0.30,
        ),
    ]
