"""``overwatch score RUN_DIR`` — score a training run and write its after-action bundle."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from overwatch.mission import MissionGeometry, load_mission
from overwatch.scenario.loader import load_scenario
from overwatch.scoring.features import FOOTPRINT_EVERY_S
from overwatch.scoring.run import LoadedRun, load_run
from overwatch.scoring.rundir import RunManifest, read_run_dir
from overwatch.scoring.score import CUED, LATE, MISSED, RunScore


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "score",
        help="score a training run (coverage, cue lead times, misses, false cues) and write "
        "its after-action bundle",
        description=(
            "Score a run directory against its ground truth: lead coverage achieved, how long "
            "before the patrol each threat was cued, missed threats and false cues. Writes "
            "GeoJSON, KML, score.json, a PNG map, a coverage plot and the tlog to RUN_DIR/aar "
            "(see docs/after-action.md)."
        ),
    )
    p.add_argument("run_dir", type=Path, metavar="RUN_DIR", help="the run directory")
    p.add_argument("--out", type=Path, default=None, help="bundle folder (default: RUN_DIR/aar)")
    p.add_argument(
        "--footprint-every",
        type=_positive_seconds,
        default=FOOTPRINT_EVERY_S,
        metavar="SECONDS",
        help=f"spacing of the camera footprints drawn and exported (default {FOOTPRINT_EVERY_S:g})",
    )
    p.set_defaults(handler=run)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} (expected a positive number of seconds)")
    return value


def run(args: argparse.Namespace) -> int:
    if not args.footprint_every > 0:
        raise SystemExit(
            f"overwatch score: --footprint-every must be > 0, got {args.footprint_every}"
        )
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=max(console.width, 110))
    from overwatch.report.aar import write_aar  # the report extra (matplotlib), checked first

    run_dir = read_run_dir(args.run_dir)
    with console.status("reading the run…"):
        geometry, title = _mission(run_dir.manifest)
        loaded = load_run(run_dir, geometry, title)
    with console.status("scoring…"):
        score = loaded.score()
    if run_dir.has_truth:
        console.print(threat_table(loaded, score))
    else:
        console.print(
            f"no simulator truth: scored from the run's own track "
            f"({escape(str(run_dir.track_path))}: the patrol's fixes and the drone's "
            "telemetry); threats are known only as cues",
            soft_wrap=True,
        )
        console.print(cue_table(loaded, score))
    console.print(summary_line(score), soft_wrap=True)
    false = false_cue_table(loaded, score)
    if false is not None:
        console.print(false)
    out = args.out or run_dir.default_out
    with console.status(f"writing the after-action bundle to {escape(str(out))}…"):
        bundle = write_aar(loaded, score, out, footprint_every_s=args.footprint_every)
    for path in bundle.files:
        console.print(f"  wrote {escape(str(path))}", soft_wrap=True)
    if loaded.truth.torn_lines:
        console.print(
            f"  [yellow]{escape(str(run_dir.scored_from))}: the last line was cut short "
            "(stopped mid-write); left out[/yellow]",
            soft_wrap=True,
        )
    if loaded.tlog is None:
        console.print("  [yellow]no flight.tlog in the run directory: none in the bundle[/yellow]")
    return 0


def _mission(manifest: RunManifest) -> tuple[MissionGeometry, str]:
    """The mission the run flew, and a title (the scenario's name when there is one)."""
    mission = load_mission(manifest.mission)
    title = mission.name
    if manifest.scenario is not None:
        title = load_scenario(manifest.scenario).name
    return MissionGeometry.of(mission), title


def clock(t_s: float | None) -> str:
    """Scenario time as ``T+mm:ss`` (``T-`` before the patrol's planned start)."""
    if t_s is None:
        return "—"
    sign = "-" if t_s < 0 else "+"
    m, s = divmod(round(abs(t_s)), 60)
    return f"T{sign}{m:02d}:{s:02d}"


def _secs(v: float | None) -> str:
    return "—" if v is None else f"{v:,.0f} s"


_LEFT = ("threat", "cue", "outcome", "kind", "source")
#: a cue this far ahead of the patrol gives it time to act (the acceptance's figure)
MIN_CUE_LEAD_S = 60.0
_STYLE = {CUED: "green", LATE: "yellow", MISSED: "bold red"}


def threat_table(run: LoadedRun, score: RunScore) -> Table:
    """One row per threat: when it appeared, when the patrol got there, when it was cued."""
    table = Table(
        title=f"{escape(run.title)} — threats (T = the patrol's planned start)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name in ("threat", "appeared", "patrol at", "cued", "cue", "to cue", "lead", "outcome"):
        table.add_column(name, no_wrap=True, justify="left" if name in _LEFT else "right")
    for ts in score.threats:
        cued_at = None if ts.time_to_cue_s is None else ts.appear_s + ts.time_to_cue_s
        cue = ts.cue_id or "—"
        if ts.cue_kind and ts.cue_kind != ts.kind:
            cue += f" (as {ts.cue_kind})"
        style = _STYLE.get(ts.outcome, "dim")
        table.add_row(
            f"{escape(ts.truth_id)} [dim]{escape(ts.kind)}[/dim]",
            clock(ts.appear_s),
            clock(ts.patrol_arrival_s),
            clock(cued_at),
            escape(cue),
            _secs(ts.time_to_cue_s),
            _secs(ts.lead_s),
            f"[{style}]{ts.outcome}[/{style}]",
        )
    return table


def summary_line(score: RunScore) -> str:
    n = len(score.threats)
    if score.has_truth:
        cues = (
            f"threats cued in time {len(score.cued_in_time)}/{n}, missed {len(score.missed)}; "
            f"false cues {len(score.false_cues)} of {len(score.cues)} cue(s)"
        )
    else:
        ahead = sum(lead is not None and lead >= MIN_CUE_LEAD_S for lead in score.cue_leads_s)
        cues = f"{len(score.cues)} cue(s), {ahead} of them {MIN_CUE_LEAD_S:.0f} s or more ahead"
        cues += " of the patrol"
    return (
        f"lead coverage [bold]{score.lead_coverage:.1%}[/bold] over "
        f"{score.scored_m / 1000:.2f} of {score.route_length_m / 1000:.2f} km driven "
        f"(longest gap {score.longest_gap_m:,.0f} m); {cues}"
        + (
            ""
            if score.site is None
            else f"; static site in view [bold]{score.site.fraction:.1%}[/bold] of "
            f"{score.site.window_s / 60:.0f} min"
        )
    )


def cue_table(run: LoadedRun, score: RunScore) -> Table:
    """One row per cue: when it came and how long before the patrol reached its place."""
    table = Table(
        title=f"{escape(run.title)} — cues (T = the patrol's planned start)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name in ("cue", "kind", "source", "first seen", "patrol lead", "sightings"):
        table.add_column(name, no_wrap=True, justify="left" if name in _LEFT else "right")
    for c, lead in zip(score.cues, score.cue_leads_s, strict=True):
        table.add_row(
            escape(c.cue_id), escape(c.kind), escape(c.source), clock(c.first_seen_s),
            "not reached" if lead is None else _secs(lead), str(c.sightings),
        )  # fmt: skip
    return table


def false_cue_table(run: LoadedRun, score: RunScore) -> Table | None:
    """The camera cues that matched no threat, or None if there were none."""
    if not score.false_cues:
        return None
    false = set(score.false_cues)
    table = Table(title="false cues (camera cues matching no threat)", box=box.SIMPLE_HEAD)
    for name in ("cue", "kind", "status", "first seen", "sightings", "notes"):
        table.add_column(name)
    for c in run.cues:
        if c.cue_id in false:
            table.add_row(
                escape(c.cue_id), escape(c.kind), escape(c.status), clock(c.first_seen_s),
                str(c.sightings), escape("; ".join(c.notes)),
            )  # fmt: skip
    return table
