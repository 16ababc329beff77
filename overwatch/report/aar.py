"""The after-action bundle of a run: maps, GeoJSON, KML, the score and the tlog.

:func:`write_aar` writes, into ``RUN_DIR/aar/`` (or any folder)::

    run.geojson     RFC 7946 FeatureCollection (lon/lat), kinds as in overwatch.scoring.features
    run.kml         the same features for Google Earth / ATAK (one folder per group)
    score.json      the score (overwatch.scoring.score.RunScore.to_json) and the run's manifest
    run-map.png     the whole run, north up: route, airspace, patrol and drone tracks,
                    footprints, threats (true) against cues, each threat's cue lead time
    coverage.png    lead coverage along the route (station vs covered fraction)
    flight.tlog     a hard link to (or copy of) the run's telemetry log

See ``docs/after-action.md``.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from shapely.geometry import LineString, MultiPoint
from shapely.ops import substring

from overwatch.errors import RunDirError
from overwatch.formats.features import footprint_sample_indices
from overwatch.formats.geojson import feature_collection
from overwatch.geo.camera import footprint_corners
from overwatch.planning.model import Trajectory
from overwatch.report.draw import (
    DRONE,
    GAP,
    PATROL,
    ROUTE,
    draw_airspace,
    draw_footprints,
    finish_map,
    map_view,
    save,
)
from overwatch.scoring.features import FOOTPRINT_EVERY_S, run_features
from overwatch.scoring.kml import run_kml
from overwatch.scoring.run import LoadedRun
from overwatch.scoring.score import CUED, LATE, MISSED, RunScore, ThreatScore, drone_trajectory

#: marker colour of a cue by its status
_CUE_COLOURS = {"new": "#ffbf00", "acknowledged": "#17becf", "dismissed": "#999999"}
_THREAT_COLOUR = "#d62728"


@dataclass(frozen=True)
class AarBundle:
    """The files :func:`write_aar` wrote."""

    out_dir: Path
    geojson: Path
    kml: Path
    score_json: Path
    map_png: Path
    coverage_png: Path
    tlog: Path | None

    @property
    def files(self) -> tuple[Path, ...]:
        paths = (self.geojson, self.kml, self.score_json, self.map_png, self.coverage_png)
        return paths + ((self.tlog,) if self.tlog is not None else ())


def write_aar(
    run: LoadedRun,
    score: RunScore,
    out_dir: Path,
    *,
    footprint_every_s: float = FOOTPRINT_EVERY_S,
) -> AarBundle:
    """Write the after-action bundle of ``run`` into ``out_dir`` (made if needed)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RunDirError(f"{out_dir}: cannot make the output folder: {exc.strerror}") from None
    features = run_features(run, score, footprint_every_s=footprint_every_s)
    geojson = _write(
        out_dir / "run.geojson",
        json.dumps(feature_collection(features, run.title), allow_nan=False,
                   separators=(",", ":")) + "\n",
    )  # fmt: skip
    kml = _write(out_dir / "run.kml", run_kml(features, run.title))
    map_png = draw_run_map(run, score, out_dir / "run-map.png", footprint_every_s=footprint_every_s)
    coverage_png = draw_coverage_plot(run, score, out_dir / "coverage.png")
    tlog = _link_tlog(run, out_dir)
    score_json = _write(
        out_dir / "score.json", json.dumps(score_document(run, score), indent=2) + "\n"
    )
    return AarBundle(out_dir, geojson, kml, score_json, map_png, coverage_png, tlog)


def score_document(run: LoadedRun, score: RunScore) -> dict[str, Any]:
    """``score.json``: the score, the run's manifest and what the tlog held."""
    root = run.run_dir.root
    return {
        "title": run.title,
        "run_dir": str(root),
        "scored_utc": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "run": run.run_dir.manifest.to_json(root),
        "patrol_start_utc": run.geometry.mission.patrol.start_time.isoformat(),
        **score.to_json(),
        "tlog": run.tlog.to_json() if run.tlog is not None else None,
    }


# -- the run map ----------------------------------------------------------------------------


def draw_run_map(
    run: LoadedRun, score: RunScore, path: Path, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> Path:
    """Write a north-up PNG map of the whole run to ``path``.

    The top panel shows the whole run; when the drone worked over a small part
    of it, a second panel below zooms on that part (same drawing, own scale bar).
    """
    geo = run.geometry
    traj = drone_trajectory(run.truth, geo)
    whole = map_view(geo, margin_m=1200.0)
    detail = _detail_bounds(run, traj, whole)
    panels = [whole] if detail is None else [whole, detail]
    width_in = 12.0
    heights = [min(8.0, max(2.5, width_in * (b[3] - b[1]) / (b[2] - b[0]))) for b in panels]
    fig, axes = plt.subplots(
        len(panels),
        1,
        figsize=(width_in, sum(heights) + 0.8),
        dpi=110,
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
    )
    for k, (ax, bounds) in enumerate(zip(axes[:, 0], panels, strict=True)):
        _draw_run_layers(ax, run, score, traj, bounds, footprint_every_s)
        finish_map(ax, bounds)
        if k == 1:
            ax.set_title("where the drone flew (detail)", fontsize=9)
            _outline(axes[0, 0], bounds)
    axes[0, 0].set_title(_title(run, score), fontsize=10)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    # anchored to the last map, so the legend follows it when equal aspect shrinks the axes
    axes[-1, 0].legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -0.02),
                       ncol=5, fontsize=8, framealpha=0.9)  # fmt: skip
    fig.tight_layout()
    return save(fig, path)


def _detail_bounds(
    run: LoadedRun, traj: Trajectory, whole: tuple[float, float, float, float]
) -> tuple[float, float, float, float] | None:
    """A box around the drone's airborne track (and its cues), or None if it is most of the map."""
    air = traj.airborne & (traj.alt_rel_m > 5.0)
    if not air.any():
        return None
    xy = [*zip(traj.x_m[air], traj.y_m[air], strict=True)]
    frame = run.geometry.frame
    for c in run.cues:
        cx, cy = frame.to_local(c.lat_deg, c.lon_deg)
        xy.append((float(cx), float(cy)))
    minx, miny, maxx, maxy = MultiPoint(xy).buffer(350.0).bounds
    width, height = maxx - minx, maxy - miny
    if width > 0.5 * (whole[2] - whole[0]):
        return None
    # not flatter than 3:1, so the detail stays readable
    if height < width / 3:
        mid = (miny + maxy) / 2
        miny, maxy = mid - width / 6, mid + width / 6
    return float(minx), float(miny), float(maxx), float(maxy)


def _outline(ax: Axes, bounds: tuple[float, float, float, float]) -> None:
    minx, miny, maxx, maxy = bounds
    ax.plot([minx, maxx, maxx, minx, minx], [miny, miny, maxy, maxy, miny], color="black",
            lw=0.8, ls="-.")  # fmt: skip


def _draw_run_layers(
    ax: Axes,
    run: LoadedRun,
    score: RunScore,
    traj: Trajectory,
    bounds: tuple[float, float, float, float],
    footprint_every_s: float,
) -> None:
    geo = run.geometry
    frame = geo.frame
    draw_airspace(ax, geo, bounds)
    idx = footprint_sample_indices(traj.t_s, traj.alt_rel_m, footprint_every_s)
    if idx:
        cam = geo.mission.vehicle.camera
        quads = footprint_corners(
            traj.x_m[idx], traj.y_m[idx], traj.alt_rel_m[idx], traj.yaw_deg[idx],
            traj.gimbal_pitch_deg[idx], cam.hfov_deg, cam.vfov_deg,
        )  # fmt: skip
        draw_footprints(ax, quads, alpha=0.12)
        ax.fill([], [], color=DRONE, alpha=0.25, lw=0,
                label=f"camera footprint (every {footprint_every_s:g} s)")  # fmt: skip
    driven = min(score.scored_m, geo.route.length)
    for a, b, style, label in (
        (0.0, driven, "-", "route, driven in this run"),
        (driven, geo.route.length, ":", "route, not driven in this run"),
    ):
        part = substring(geo.route, a, b)
        if isinstance(part, LineString) and part.length > 1.0:
            rx, ry = part.xy
            ax.plot(rx, ry, color=ROUTE, lw=3.0, alpha=0.5, ls=style, label=label)
    for gap in score.coverage.gaps:
        seg = substring(geo.route, gap.start_m, gap.end_m)
        if isinstance(seg, LineString) and seg.length > 0:
            gx, gy = seg.xy
            ax.plot(gx, gy, color=GAP, lw=5.0, alpha=0.8)
    if score.coverage.gaps:
        ax.plot([], [], color=GAP, lw=5.0, label="not watched in time")
    p = run.truth.patrol_rows
    px, py = frame.to_local(p[:, 1], p[:, 2])
    ax.plot(px, py, color=PATROL, lw=1.6, label="patrol (true)")
    air = traj.airborne
    ax.plot(np.where(air, traj.x_m, np.nan), np.where(air, traj.y_m, np.nan), color=DRONE,
            lw=1.0, label="drone (true)")  # fmt: skip
    if run.tlog is not None and len(run.tlog.positions) > 1:
        tx, ty = frame.to_local(run.tlog.positions[:, 1], run.tlog.positions[:, 2])
        ax.plot(tx, ty, color="#17becf", lw=0.8, ls="--", label="drone (telemetry)")
    ax.plot(geo.launch.x, geo.launch.y, "k^", ms=9, label="launch")
    _draw_threats_and_cues(ax, run, score)


def _draw_threats_and_cues(ax: Axes, run: LoadedRun, score: RunScore) -> None:
    frame = run.geometry.frame
    for k, (threat, ts) in enumerate(zip(run.truth.threats, score.threats, strict=True)):
        x, y = frame.to_local(threat.lat_deg, threat.lon_deg)
        ax.scatter([x], [y], marker="X", s=140, c=_THREAT_COLOUR, edgecolors="white",
                   linewidths=0.8, zorder=5, label="threat (true)" if k == 0 else None)  # fmt: skip
        dy = 28 if k % 2 == 0 else -34
        ax.annotate(
            f"{threat.truth_id}\n{threat_label(ts)}",
            (x, y),
            xytext=(14, dy),
            textcoords="offset points",
            fontsize=8,
            zorder=7,
            bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": _outcome_colour(ts),
                  "alpha": 0.9},
            arrowprops={"arrowstyle": "-", "color": _outcome_colour(ts), "lw": 0.8},
        )  # fmt: skip
    false = set(score.false_cues)
    matched = {cid for ts in score.threats for cid in ts.cue_ids}
    for status, colour in _CUE_COLOURS.items():
        cues = [c for c in run.cues if c.status == status]
        if not cues:
            continue
        lat = np.array([c.lat_deg for c in cues])
        lon = np.array([c.lon_deg for c in cues])
        cx, cy = (np.atleast_1d(v) for v in frame.to_local(lat, lon))
        ax.scatter(cx, cy, s=38, c=colour, edgecolors="black", linewidths=0.8, zorder=6,
                   label=f"cue ({status})")  # fmt: skip
        for c, x, y in zip(cues, cx, cy, strict=True):
            if c.cue_id in matched:
                continue
            what = "false cue" if c.cue_id in false else f"{c.source} {c.kind}, no threat"
            ax.annotate(f"{c.cue_id}: {what}", (x, y), xytext=(6, -10),
                        textcoords="offset points", fontsize=7, zorder=7)  # fmt: skip


def threat_label(ts: ThreatScore) -> str:
    """One line on how a threat was handled, e.g. ``cued 6.5 min ahead``."""
    if ts.outcome == CUED and ts.lead_s is not None:
        return f"cued {_duration(ts.lead_s)} ahead"
    if ts.outcome == LATE and ts.lead_s is not None:
        return f"LATE: cued {_duration(-ts.lead_s)} after the patrol"
    if ts.outcome == MISSED:
        return "MISSED: never cued"
    return "not cued (run ended before the patrol got there)"


def short_label(ts: ThreatScore) -> str:
    """A few words on how a threat was handled, e.g. ``lead 6.5 min``."""
    if ts.lead_s is not None:
        return (
            f"lead {_duration(ts.lead_s)}"
            if ts.outcome == CUED
            else f"late {_duration(-ts.lead_s)}"
        )
    return "MISSED" if ts.outcome == MISSED else "not reached"


def _outcome_colour(ts: ThreatScore) -> str:
    return {CUED: "#2ca02c", LATE: "#ff7f0e", MISSED: _THREAT_COLOUR}.get(ts.outcome, "#777777")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if abs(seconds) < 120 else f"{seconds / 60:.1f} min"


def _title(run: LoadedRun, score: RunScore) -> str:
    n = len(score.threats)
    reached = f"{score.scored_m / 1000:.1f} of {score.route_length_m / 1000:.1f} km"
    return (
        f"{run.title} — {run.run_dir.manifest.mode}: lead coverage {score.lead_coverage:.1%} "
        f"over {reached} driven\nthreats cued in time {len(score.cued_in_time)}/{n}, "
        f"missed {len(score.missed)}, false cues {len(score.false_cues)}"
    )


# -- coverage along the route ----------------------------------------------------------------


def draw_coverage_plot(run: LoadedRun, score: RunScore, path: Path) -> Path:
    """Write a PNG of the covered fraction of the corridor at each station of the route."""
    cov = score.coverage
    fig, ax = plt.subplots(figsize=(11, 3.6), dpi=110)
    station_km = cov.station_m / 1000.0
    if len(station_km):
        ax.fill_between(station_km, cov.station_fraction, step="mid", color=DRONE, alpha=0.35,
                        label="covered in time")  # fmt: skip
        ax.plot(station_km, cov.station_fraction, color=DRONE, lw=0.8, drawstyle="steps-mid")
    for k, gap in enumerate(cov.gaps):
        ax.axvspan(gap.start_m / 1000, gap.end_m / 1000, color=GAP, alpha=0.25, lw=0,
                   label="unwatched" if k == 0 else None)  # fmt: skip
    if score.scored_m < score.route_length_m - 1.0:
        ax.axvspan(score.scored_m / 1000, score.route_length_m / 1000, color="#dddddd",
                   alpha=0.6, lw=0, label="not driven in this run")  # fmt: skip
    for threat, ts in zip(run.truth.threats, score.threats, strict=True):
        s_km = threat.station_m / 1000
        ax.axvline(s_km, color=_outcome_colour(ts), lw=1.2, ls="--")
        ax.text(s_km, 0.97, f" {threat.truth_id}: {short_label(ts)}", rotation=90,
                fontsize=7, ha="right", va="top", color=_outcome_colour(ts))  # fmt: skip
    ax.set_xlim(0, max(score.route_length_m, 1.0) / 1000)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("station along the route (km)")
    ax.set_ylabel("corridor covered in time")
    ow = run.geometry.mission.overwatch
    ax.set_title(
        f"Lead coverage {score.lead_coverage:.1%} (corridor {ow.corridor_width_m:g} m, seen "
        f"{ow.lead_min_s:g}–{ow.lead_max_s:g} s before the patrol)",
        fontsize=10,
    )
    ax.legend(loc="lower right", fontsize=8, framealpha=0.9)
    return save(fig, path)


# -- files ---------------------------------------------------------------------------------


def _write(path: Path, text: str) -> Path:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise RunDirError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path


def _link_tlog(run: LoadedRun, out_dir: Path) -> Path | None:
    """Hard-link the run's tlog into the bundle (copy across file systems)."""
    source = run.run_dir.tlog_path
    if source is None:
        return None
    target = out_dir / source.name
    if target.exists() and os.path.samefile(source, target):
        return target
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
    return target
