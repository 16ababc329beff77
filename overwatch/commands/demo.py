"""``overwatch demo`` — the main job in one command.

Starts the built-in simulator with the example scenario (a 12 km border-road
patrol with a halt, a detour, a tracker dropout and three threats), opens the
terminal UI connected to it, and takes off as soon as the copter is ready.
``--headless`` (or no terminal) runs the same to the end without a screen.
Either way the run is scored and its after-action bundle written.

The simulator's synthetic camera films the scenario and streams it (RTP/H.264
on loopback); the video panel shows it and what the detector finds in it
becomes camera cues, beside the stand-in sensor's. ``--detector PATH.onnx``
runs a YOLO model instead of the built-in blob detector.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from overwatch.commands import preflight
from overwatch.commands import score as score_command
from overwatch.commands.detector_option import add_detector_option, detector_from
from overwatch.commands.signing import add_signing_options, signing_key_from
from overwatch.errors import SimulatorError, VideoError
from overwatch.ops.demo import (
    DEMO_MISSION,
    DEMO_SCENARIO,
    DemoConfig,
    give_signing_key,
    make_session,
    start_simulator,
)
from overwatch.ops.headless import launch_when_ready, run_headless
from overwatch.ops.session import LiveSession
from overwatch.scoring.features import FOOTPRINT_EVERY_S

#: what the after-action bundle needs (the report extra)
AFTER_ACTION = "overwatch.report.aar"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="the demo: simulator + scenario + live overwatch in the terminal UI",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--headless", action="store_true", help="no screen: run to the end, score")
    p.add_argument("--mission", type=Path, default=DEMO_MISSION, help="mission YAML")
    p.add_argument("--scenario", type=Path, default=DEMO_SCENARIO, help="scenario YAML")
    p.add_argument("--out", type=Path, default=Path("out") / "demo", help="the run directory")
    p.add_argument(
        "--speedup",
        type=float,
        default=None,
        help="simulated seconds per second (default 4 with the UI, 20 headless)",
    )
    p.add_argument("--theme", choices=("dark", "light"), default="dark", help="UI theme")
    p.add_argument(
        "--video-fps",
        type=int,
        default=10,
        metavar="FPS",
        help="the synthetic camera's frames per second (wall clock; 0: no video)",
    )
    add_detector_option(p)
    add_signing_options(p)
    p.add_argument(
        "--sitl",
        nargs="?",
        const=os.environ.get("ARDUPILOT_SITL", ""),
        default=None,
        metavar="PATH",
        help="fly real ArduPilot SITL (the arducopter binary; default $ARDUPILOT_SITL) instead "
        "of the built-in simulator, in a loopback-only network namespace "
        "(bash scripts/loopback-only.sh overwatch demo --sitl); no camera",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    preflight(AFTER_ACTION)  # the run ends with its scoring: say now if that cannot be done
    headless = args.headless or not sys.stdout.isatty()
    if args.sitl == "":
        raise SimulatorError("--sitl: give the arducopter binary, or set ARDUPILOT_SITL")
    # SITL's physics runs at 1.2 kHz: 10× is as fast as it flies on a small machine
    speedup = args.speedup or (4.0 if not headless else 10.0 if args.sitl else 20.0)
    if not 0 <= args.video_fps <= 60:
        raise VideoError(f"--video-fps: expected 0..60 frames per second, got {args.video_fps}")
    if args.detector is not None and args.video_fps == 0:
        raise VideoError("--detector runs on the camera's video: it needs --video-fps above 0")
    config = DemoConfig(
        args.mission,
        args.scenario,
        args.out,
        speedup,
        video_fps=0 if args.sitl else args.video_fps,
        detector=detector_from(args),
        sitl=args.sitl,
        signing_key=signing_key_from(args),
    )
    if config.signing_key is not None and args.sitl:
        raise SimulatorError(
            "--signing-…: the demo signs on the built-in simulator only; on SITL the "
            "scenario's watcher and ground crew speak unsigned MAVLink"
        )
    console = Console(stderr=True, highlight=False)
    with console.status("starting the simulator…"):
        sim = start_simulator(config)
    try:
        if config.signing_key is not None:
            with console.status("giving the drone its signing key…"):
                asyncio.run(give_signing_key(config, sim))
        session = make_session(config, sim, say=lambda text: console.print(escape(text)))
        if headless:
            asyncio.run(_headless(session, console))
        else:
            _with_ui(session, args.theme)
    finally:
        sim.stop()
    return score_command.run(
        argparse.Namespace(run_dir=config.run_dir, out=None, footprint_every=FOOTPRINT_EVERY_S)
    )


async def _headless(session: LiveSession, console: Console) -> None:
    try:
        outcome = await run_headless(session, console=console)
        console.print(f"run ended: {escape(outcome.reason)}", soft_wrap=True)
    finally:
        await session.close()


def _with_ui(session: LiveSession, theme: str) -> None:
    from overwatch.ops.thread import SessionThread
    from overwatch.tui.app import make_app
    from overwatch.tui.graphics import detect_graphics

    thread = SessionThread(session)
    thread.start()
    if thread.error is not None:
        raise thread.error
    thread.call(launch_when_ready(session, lambda text: session.note("info", text)))
    detect_graphics()  # kitty or sixel pictures when the terminal has them
    app = make_app(session.geometry, thread, thread.commands, theme=theme)  # type: ignore[arg-type]
    try:
        app.run()
    finally:
        thread.stop()
