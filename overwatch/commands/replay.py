"""``overwatch replay FLIGHT.tlog`` — play a recorded flight back in the same UI."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from overwatch.errors import OverwatchError
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.replay import snapshots_from_tlog
from overwatch.scoring.rundir import read_manifest


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "replay",
        help="replay a recorded flight (.tlog) in the UI: pause, 1×/4×/16×, seek",
        description=(
            "Replay a recorded flight in the terminal UI. Keys: space pause/play, 1/2/3 for "
            "1×/4×/16×, [ ] seek 10 s, { } seek 60 s, home/end. Every vehicle in the tlog is "
            "shown, named as the mission names its sysid (v picks the one whose details show). "
            "The mission comes from --mission or from run.json next to the tlog."
        ),
    )
    p.add_argument("tlog", type=Path, help="the flight's .tlog")
    p.add_argument("--mission", type=Path, default=None, help="the mission YAML")
    p.add_argument("--cues", type=Path, default=None, help="a cue store (cues.sqlite)")
    p.add_argument("--video", type=Path, default=None, help="folder of recorded video segments")
    p.add_argument("--theme", choices=("dark", "light"), default="dark", help="UI theme")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from overwatch.tui.graphics import detect_graphics
    from overwatch.tui.replay import make_replay_app

    mission_path = args.mission or _mission_from_run_dir(args.tlog)
    geometry = MissionGeometry.of(load_mission(mission_path))
    cues = args.cues
    if cues is None and (args.tlog.parent / "cues.sqlite").exists():
        cues = args.tlog.parent / "cues.sqlite"
    with Console(stderr=True).status(f"reading {escape(str(args.tlog))}…"):
        snapshots = snapshots_from_tlog(args.tlog, geometry, cues_path=cues, video_dir=args.video)
    detect_graphics()  # kitty or sixel pictures when the terminal has them
    make_replay_app(geometry, snapshots, theme=args.theme).run()
    return 0


def _mission_from_run_dir(tlog: Path) -> Path:
    manifest = tlog.parent / "run.json"
    if not manifest.exists():
        raise OverwatchError(
            f"{tlog}: which mission? give --mission MISSION.yaml "
            f"(no run.json beside the tlog to say)"
        )
    return read_manifest(manifest).mission
