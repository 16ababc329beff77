"""Try the UI without a drone: ``python -m overwatch.tui MISSION.yaml [--light]``.

Plays a synthetic session (the patrol driving the route, the drone ahead of
it, a dozen cues) through the replay screen. Commands answer that it is a
replay. A bad mission file is reported in one line, exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from overwatch.errors import MissionError
from overwatch.mission import MissionGeometry, load_mission
from overwatch.tui.graphics import detect_graphics
from overwatch.tui.replay import make_replay_app
from overwatch.tui.sample import T0_S, synthetic_snapshot


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m overwatch.tui", description=__doc__)
    parser.add_argument("mission", help="a mission YAML file")
    parser.add_argument("--light", action="store_true", help="the light theme (sunlight)")
    parser.add_argument("--seconds", type=int, default=600, help="length of the demo session")
    args = parser.parse_args(argv)
    try:
        geometry = MissionGeometry.of(load_mission(args.mission))
    except MissionError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot read mission {args.mission}: {exc.strerror}", file=sys.stderr)
        return 2
    snapshots = [
        synthetic_snapshot(geometry, time_s=T0_S + t, station_m=8.3 * t, age_offset_s=t)
        for t in range(0, max(1, args.seconds), 1)
    ]
    detect_graphics()  # kitty or sixel pictures when the terminal has them
    make_replay_app(geometry, snapshots, theme="light" if args.light else "dark").run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
