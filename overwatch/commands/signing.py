"""``overwatch signing setup|clear|new-key`` — MAVLink 2 signing keys, on the vehicle too.

The options ``--signing-passphrase`` and ``--signing-key-file`` are shared with
``fly``, ``run``, ``ui`` and ``demo``: with one of them the link signs every
packet and drops unsigned or wrongly signed ones from the vehicle. See
docs/link.md.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable

from rich.console import Console
from rich.markup import escape

from overwatch.commands.connection import add_connection_options, connection_from
from overwatch.errors import LinkTimeout, SigningError
from overwatch.link.signing import (
    clear_signing,
    key_file_is_private,
    key_from_passphrase,
    read_key_file,
    setup_signing,
    write_new_key,
)

PASSPHRASE_HELP = (
    "sign MAVLink 2 with the key made from this passphrase (its SHA-256, as MAVProxy's "
    "'signing setup' makes it); unsigned packets from the vehicle are then dropped"
)
KEY_FILE_HELP = (
    "sign MAVLink 2 with the key in this file (64 hex digits, or 32 raw bytes; "
    "'overwatch signing new-key' writes one)"
)

#: said when the vehicle's packets come signed to a link without a key
UNSIGNED_WARNING = (
    "warning: vehicle {sysid} signs its MAVLink and will ignore unsigned commands: "
    "give its key with --signing-passphrase or --signing-key-file"
)


def add_signing_options(p: argparse.ArgumentParser) -> None:
    """``--signing-passphrase`` / ``--signing-key-file``: one or neither."""
    group = p.add_mutually_exclusive_group()
    group.add_argument("--signing-passphrase", metavar="TEXT", default=None, help=PASSPHRASE_HELP)
    group.add_argument("--signing-key-file", metavar="PATH", default=None, help=KEY_FILE_HELP)


def signing_key_from(args: argparse.Namespace) -> bytes | None:
    """The key the options give, or None. A key file others may read is warned about."""
    if args.signing_passphrase is not None:
        return key_from_passphrase(args.signing_passphrase)
    if args.signing_key_file is not None:
        key = read_key_file(args.signing_key_file)
        if not key_file_is_private(args.signing_key_file):
            print(
                f"warning: {args.signing_key_file}: others can read this signing key "
                f"(chmod 600 {args.signing_key_file})",
                file=sys.stderr,
            )
        return key
    return None


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "signing",
        help="MAVLink 2 signing: give the vehicle its key, clear it, or make a key file",
        description=(
            "MAVLink 2 signing. 'setup' gives the vehicle the key (SETUP_SIGNING, disarmed "
            "only) and checks that it then signs with it; 'clear' turns signing off, signed "
            "with the current key; 'new-key FILE' writes a random key file (mode 0600). "
            "Once a key is set, ArduPilot drops unsigned packets on every port but SERIAL0 "
            "(USB), so fly, run, ui and demo need the same key."
        ),
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    setup = actions.add_parser(
        "setup",
        help="give the vehicle the key and check that it signs with it",
        description="Send SETUP_SIGNING with the key to the vehicle (it must be disarmed).",
    )
    add_connection_options(setup)
    add_signing_options(setup)
    setup.add_argument(
        "--current-key-file",
        metavar="PATH",
        default=None,
        help="the key the vehicle signs with now, to sign the change with",
    )
    clear = actions.add_parser(
        "clear",
        help="turn signing off on the vehicle (needs its current key)",
        description="Send SETUP_SIGNING with an all-zero key, signed with the current key.",
    )
    add_connection_options(clear)
    add_signing_options(clear)
    for action in (setup, clear):
        action.add_argument(
            "--timeout", type=float, default=30.0, help="seconds to wait for the vehicle"
        )
    new_key = actions.add_parser(
        "new-key",
        help="write a new random key to FILE (never overwrites)",
        description="Write 32 random bytes as 64 hex digits to FILE, readable by you only.",
    )
    new_key.add_argument("file", metavar="FILE", help="where to write the key")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    console = Console(highlight=False)

    def say(text: str) -> None:
        console.print(escape(text))

    if args.action == "new-key":
        write_new_key(args.file)
        say(f"wrote a new signing key to {args.file} (readable by you only)")
        return 0
    key = signing_key_from(args)
    if key is None:
        raise SigningError(
            f"signing {args.action}: give the key with --signing-passphrase or --signing-key-file"
        )
    current = None
    if args.action == "setup" and args.current_key_file is not None:
        current = read_key_file(args.current_key_file)
    return asyncio.run(_run(args, key, current, say))


async def _run(
    args: argparse.Namespace, key: bytes, current: bytes | None, say: Callable[[str], None]
) -> int:
    from overwatch.link import Link

    connect = connection_from(args, say)
    if args.action == "clear":
        current = key
    async with Link(connect, signing_key=current) as link:
        say(f"connecting to {connect}…")
        try:
            vehicle = await link.wait_vehicle(timeout_s=args.timeout)
        except LinkTimeout:
            if link.rejected_signature:
                raise SigningError(
                    f"{link.rejected_signature} packets from the vehicle on {connect} were "
                    "refused: it signs with another key"
                    + (" (give it with --current-key-file)" if args.action == "setup" else "")
                ) from None
            raise
        if args.action == "setup":
            await setup_signing(link, vehicle, key, timeout_s=min(5.0, args.timeout))
            say(f"vehicle {vehicle.sysid}: signing with the new key (SETUP_SIGNING taken)")
        else:
            await clear_signing(link, vehicle, timeout_s=min(5.0, args.timeout))
            say(f"vehicle {vehicle.sysid}: signing turned off")
    return 0
