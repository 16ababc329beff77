"""The ``overwatch`` command line.

Each subcommand lives in ``overwatch/commands/<name>.py`` and exposes
``register(subparsers)``; this module only dispatches and turns Overwatch's
own errors into one clear line and exit code 2 (never a traceback).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from rich.console import Console

from overwatch import __version__
from overwatch.errors import OverwatchError

#: subcommands in the order ``--help`` lists them
COMMANDS = ("validate", "plan", "sim", "fly", "run", "demo", "score", "ui", "replay")

EXIT_USER_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="overwatch",
        description=(
            "Drone overwatch for ground patrols: plan overwatch flights around a moving patrol, "
            "fly them on an ArduPilot multicopter, watch the picture, and train in simulation."
        ),
        epilog="Run 'overwatch COMMAND --help' for the options of one command.",
    )
    parser.add_argument("--version", action="version", version=f"overwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"overwatch.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"overwatch.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    passes_unknown = getattr(args, "pass_unknown", False)
    if extra and not passes_unknown:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    err = Console(stderr=True, highlight=False)
    try:
        result: int = args.handler(args, extra) if passes_unknown else args.handler(args)
    except OverwatchError as exc:
        err.print(f"[bold red]error:[/bold red] {exc}", soft_wrap=True)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
