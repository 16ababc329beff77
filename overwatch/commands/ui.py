"""``overwatch ui MISSION.yaml --connect URL --patrol FEED`` — the field laptop's screen."""

from __future__ import annotations

import argparse

from overwatch.commands import preflight
from overwatch.commands.run import (
    VIDEO_PIPELINE,
    add_session_options,
    session_from,
    write_manifest,
)
from overwatch.ops.thread import SessionThread


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "ui",
        help="the terminal UI on a live session: map, telemetry, patrol, cues, video",
        description=(
            "Open the terminal UI on a live overwatch session: the tactical map, telemetry, "
            "the patrol's progress, threat cues ranked by the patrol's ETA, the video, and "
            "the commands (press ? for every key). The session runs on its own thread; the "
            "screen stays responsive when the link dies."
        ),
    )
    add_session_options(p)
    p.add_argument("--theme", choices=("dark", "light"), default="dark", help="light for sunlight")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from overwatch.tui.app import make_app
    from overwatch.tui.graphics import detect_graphics

    if args.video:
        preflight(VIDEO_PIPELINE)
    session, run_dir = session_from(args)
    resumed = write_manifest(run_dir, args, session.mode)
    if resumed is not None:
        session.note("info", resumed)  # the screen's event log, where the operator reads it
    thread = SessionThread(session)
    thread.start()
    if thread.error is not None:
        raise thread.error
    detect_graphics()  # kitty or sixel pictures when the terminal has them
    app = make_app(session.geometry, thread, thread.commands, theme=args.theme)
    try:
        app.run()
    finally:
        thread.stop()
    return 0
