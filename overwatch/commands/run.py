"""``overwatch run MISSION.yaml --connect URL --patrol FEED`` — live overwatch, headless."""

from __future__ import annotations

import argparse
import asyncio
import os
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from overwatch.commands import preflight
from overwatch.commands.connection import (
    add_connection_options,
    connection_from,
    more_connections_from,
)
from overwatch.commands.detector_option import add_detector_option, detector_from
from overwatch.commands.signing import add_signing_options, signing_key_from
from overwatch.errors import RunDirError, VideoError
from overwatch.feeds.cot_out import TakCredentials
from overwatch.guidance import GuidanceConfig
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.config import planned_lead_coverage
from overwatch.ops.controller import STRATEGIES
from overwatch.ops.cot import check_cot_output
from overwatch.ops.headless import RunOutcome, run_headless
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.scoring.rundir import MANIFEST, RunManifest, read_manifest

#: every strategy flies live; follow-baseline is ArduPilot's FOLLOW, for comparison
MODES = STRATEGIES


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "run",
        help="live overwatch without a screen: steer the drone ahead of the real patrol",
        description=(
            "Connect to the vehicle and the patrol's position feed, take off and fly the "
            "mission's strategy (lead, escort, bounding, static) until the patrol reaches "
            "the end of its route (a static watch: until its duration has passed), then "
            "return. Prints one progress line."
        ),
    )
    add_session_options(p)
    p.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="stop after this many seconds of patrol time from the launch (simulated time in "
        "training), then fly home and land",
    )
    p.set_defaults(handler=run)


def add_session_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("mission", type=Path, help="the mission YAML file")
    add_connection_options(p, team=True)
    add_signing_options(p)
    p.add_argument(
        "--patrol",
        required=True,
        metavar="FEED_URL",
        help="patrol position feed: gpsd://HOST:PORT, nmea+udp://HOST:PORT, nmea+tcp://…, "
        "nmea+serial:///dev/ttyUSB0?baud=4800, cot+udp://HOST:PORT or cot+tcp://…",
    )
    p.add_argument("--mode", choices=MODES, default=None, help="default: the mission's strategy")
    p.add_argument(
        "--sightings", metavar="URL", default=None, help="CoT markers in (detector, TAK)"
    )
    p.add_argument(
        "--cot-out",
        metavar="URL",
        default=None,
        help="share with TAK: udp://HOST:PORT (ATAK's multicast 239.2.3.1:6969), "
        "tcp://HOST:8087 or tls://HOST:8089 to a TAK server (markers its users drop come "
        "back as cues)",
    )
    add_tak_options(p)
    p.add_argument("--video", metavar="URL", default=None, help="the drone's video stream")
    add_detector_option(p)
    p.add_argument(
        "--video-share",
        metavar="URL",
        default=None,
        help="the video URL TAK devices are given, such as an RTSP relay's "
        "(default: --video when another device can open it)",
    )
    p.add_argument("--run-dir", type=Path, default=None, help="where cues and the tlog are kept")
    p.add_argument(
        "--stale-contingency",
        choices=("orbit", "hold_checkpoint", "return"),
        default="orbit",
        help="what the drone does when the patrol feed goes stale (orbit: in lead, a patrol "
        "last seen on its route is watched ahead on the forecast for 2 min first)",
    )
    p.add_argument(
        "--speedup", type=float, default=1.0, help="training: the simulator's speed-up factor"
    )


#: what ``--video`` needs (the video extra), imported before the session starts
VIDEO_PIPELINE = "overwatch.ops.video"


def add_tak_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tak-cert",
        type=Path,
        metavar="FILE",
        default=None,
        help="client certificate for tls://: the .p12 from the TAK server's data package, "
        "or a PEM file",
    )
    p.add_argument(
        "--tak-key", type=Path, metavar="FILE", default=None, help="its PEM key, if apart"
    )
    p.add_argument(
        "--tak-password",
        metavar="PASS",
        default=os.environ.get("OVERWATCH_TAK_PASSWORD"),
        help="the .p12's password (or set OVERWATCH_TAK_PASSWORD)",
    )
    p.add_argument(
        "--tak-ca",
        type=Path,
        metavar="FILE",
        default=None,
        help="the server's trust store: truststore-root.p12 or a CA PEM",
    )
    p.add_argument(
        "--tak-no-hostname-check",
        action="store_true",
        help="accept a server certificate issued for another name (a server reached by IP)",
    )


def tak_credentials(args: argparse.Namespace) -> TakCredentials | None:
    if not (args.tak_cert or args.tak_ca or args.tak_key):
        return None
    return TakCredentials(
        cert=args.tak_cert,
        key=args.tak_key,
        password=args.tak_password,
        ca=args.tak_ca,
        check_hostname=not args.tak_no_hostname_check,
    )


def _say(text: str) -> None:
    Console(stderr=True, highlight=False).print(escape(text))


def session_from(args: argparse.Namespace) -> tuple[LiveSession, Path]:
    if args.detector is not None and args.video is None:
        raise VideoError("--detector runs on the drone's video: give --video URL too")
    detector = detector_from(args)
    mission = load_mission(args.mission)
    geometry = MissionGeometry.of(mission)
    mode = args.mode or mission.overwatch.strategy
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    run_dir = args.run_dir or Path("out") / "runs" / stamp
    tak = tak_credentials(args)
    if args.cot_out:
        check_cot_output(args.cot_out, tak)  # a bad URL or certificate stops here, not later
    config = SessionConfig(
        connect=connection_from(args, _say),
        more_connects=more_connections_from(args),
        outs=tuple(args.outs),
        signing_key=signing_key_from(args),
        patrol_feed=args.patrol,
        mode=mode,
        sightings_url=args.sightings,
        cot_out=args.cot_out,
        tak=tak,
        video_url=args.video,
        detector=detector,
        video_share=args.video_share,
        run_dir=run_dir,
        speedup=args.speedup,
        guidance=GuidanceConfig(stale_contingency=args.stale_contingency),
        planned_lead_coverage=planned_lead_coverage(mission, mode, _say),
    )
    return LiveSession(geometry, config), run_dir


def write_manifest(
    run_dir: Path, args: argparse.Namespace, mode: str, scenario: Path | None = None
) -> str | None:
    """Write ``run.json`` for a new run; a run directory that already holds a run of the
    same mission is resumed (a ground station restarted mid-patrol): its manifest, cue
    store and tlog are kept and added to, and the line saying so is returned."""
    mission = Path(args.mission).resolve()
    existing = run_dir / MANIFEST
    if existing.exists():
        manifest = read_manifest(existing)
        if manifest.mission != mission:
            raise RunDirError(
                f"{existing}: this run directory holds a run of {manifest.mission}, not of "
                f"{mission}; give another --run-dir"
            )
        resumed = (
            f"resuming the run in {run_dir} (started {manifest.started_utc:%Y-%m-%d %H:%M:%S}Z)"
        )
        _say(resumed)
        return resumed
    RunManifest(
        mission=mission,
        scenario=scenario.resolve() if scenario else None,
        started_utc=datetime.now(UTC),
        speedup=args.speedup,
        mode=mode,
    ).write(run_dir)
    return None


def run(args: argparse.Namespace) -> int:
    if args.video:
        preflight(VIDEO_PIPELINE)
    session, run_dir = session_from(args)
    write_manifest(run_dir, args, session.mode)
    console = Console(stderr=True, highlight=False)
    outcome = asyncio.run(_run(session, args.time_limit, console))
    out = Console(highlight=False)
    problems = outcome.problems()
    why = f"; below the plan: {'; '.join(outcome.shortfall)}" if outcome.shortfall else ""
    if problems:
        # no coverage figure is printed as if the job were done
        out.print(
            Text(f"{outcome.reason}: FAILED: {'; '.join(problems)}{why}; run kept in {run_dir}"),
            soft_wrap=True,
        )
        return 1
    coverage = "—" if outcome.lead_coverage is None else f"{outcome.lead_coverage:.1%}"
    if outcome.planned is not None:
        coverage += f" (the plan: {outcome.planned:.1%})"
    out.print(
        Text(
            f"{outcome.reason}: lead coverage {coverage}{why}, {outcome.cues} cue(s), "
            f"landed; run kept in {run_dir}"
        ),
        soft_wrap=True,
    )
    return 0


async def _run(session: LiveSession, time_limit_s: float | None, console: Console) -> RunOutcome:
    try:
        return await run_headless(session, console=console, time_limit_s=time_limit_s)
    finally:
        await session.close()
