"""The ``overwatch`` command line.

Each subcommand lives in ``overwatch/commands/<name>.py`` and exposes
``register(subparsers)``, or is plugged in by another part of the project
through the ``overwatch.commands`` entry point (``sim``, from the simulator:
``overwatch`` never imports ``simulator``); this module only dispatches and turns Overwatch's
own errors into clear lines and exit code 2 (never a traceback). A command
that needs an optional extra which is not installed says which one, in one
line, with exit code 2.

Every message is printed literally: texts such as ``[lat, lon]`` are escaped,
never read as Rich markup.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from rich.console import Console
from rich.markup import escape

from overwatch import __version__
from overwatch.commands import extra_message, missing_extra, missing_module
from overwatch.errors import MissionErrors, OverwatchError

#: subcommands in the order ``--help`` lists them
COMMANDS = (
    "validate",
    "plan",
    "sim",
    "scenario",
    "fly",
    "run",
    "demo",
    "score",
    "ui",
    "replay",
    "signing",
)

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
    plugged = {ep.name: ep.value for ep in entry_points(group="overwatch.commands")}
    for name in COMMANDS:
        where = plugged.get(name, f"overwatch.commands.{name}")
        try:
            module = importlib.import_module(where)
        except ModuleNotFoundError as exc:
            if exc.name != where:
                raise  # a command module imports only base dependencies at import time
            continue
        module.register(sub)
    return parser


def print_error(err: Console, exc: OverwatchError) -> None:
    """``error: …`` for each message of ``exc``, printed literally."""
    lines = exc.lines() if isinstance(exc, MissionErrors) else [str(exc)]
    for line in lines:
        err.print(f"[bold red]error:[/bold red] {escape(line)}", soft_wrap=True)


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
        print_error(err, exc)
        return EXIT_USER_ERROR
    except ModuleNotFoundError as exc:
        wanted = missing_extra(exc)
        if wanted is None:
            raise
        message = extra_message(missing_module(exc), wanted, f"overwatch {args.command}")
        err.print(f"[bold red]error:[/bold red] {escape(message)}", soft_wrap=True)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130
    return result


if __name__ == "__main__":
    sys.exit(main())
