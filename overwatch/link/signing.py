"""MAVLink 2 signing keys: from a passphrase or a key file, and onto the vehicle.

A key is 32 bytes. From a passphrase it is the passphrase's SHA-256, as
MAVProxy's ``signing setup PASSPHRASE`` makes it, so the same passphrase
signs for Overwatch, MAVProxy and Mission Planner alike. A key file holds
the key as 64 hexadecimal digits on one line (what ``overwatch signing
new-key`` writes, mode 0600) or as 32 raw bytes.

:func:`setup_signing` gives the vehicle its key with ``SETUP_SIGNING``.
ArduPilot answers that message with nothing: the proof is a heartbeat that
passes our signature check once the link has switched to the key.
ArduPilot refuses a new key while armed, and on every port but SERIAL0 (USB
on a flight controller) it then drops unsigned packets, except RADIO_STATUS
and RADIO from the telemetry radio.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import secrets
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import LinkTimeout, SigningError
from overwatch.link import events as ev
from overwatch.link.link import signing_timestamp_now

if TYPE_CHECKING:
    from overwatch.link.link import Link
    from overwatch.link.vehicle import Vehicle

KEY_BYTES = 32
#: What ArduPilot says when it will not take a key (GCS_Signing.cpp).
_REFUSALS = ("Won't setup signing", "Failed to save signing key", "Signing is not enabled")


def key_from_passphrase(passphrase: str) -> bytes:
    """The key MAVProxy's ``signing setup PASSPHRASE`` makes: SHA-256 of the UTF-8 text."""
    if not passphrase:
        raise SigningError("--signing-passphrase: the passphrase is empty")
    return hashlib.sha256(passphrase.encode("utf-8")).digest()


def read_key_file(path: str | os.PathLike[str]) -> bytes:
    """The key in ``path``: 64 hex digits (one line) or 32 raw bytes; clear errors otherwise."""
    where = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"{where}: cannot read the signing key: {exc.strerror}") from None
    text = data.strip()
    if len(text) == 2 * KEY_BYTES:
        try:
            return bytes.fromhex(text.decode("ascii"))
        except (UnicodeDecodeError, ValueError):
            pass
    if len(data) == KEY_BYTES:
        return data
    raise SigningError(
        f"{where}: expected a signing key as 64 hexadecimal digits on one line or "
        f"{KEY_BYTES} raw bytes, found {len(data)} bytes"
    )


def key_file_is_private(path: str | os.PathLike[str]) -> bool:
    """False when others than the owner may read ``path`` (the key should be 0600)."""
    return not Path(path).stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO)


def write_new_key(path: str | os.PathLike[str]) -> bytes:
    """A fresh random key, written to ``path`` (which must not exist) as hex, mode 0600."""
    key = secrets.token_bytes(KEY_BYTES)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningError(f"{path}: already exists; a key file is never overwritten") from None
    except OSError as exc:
        raise SigningError(f"{path}: cannot write the signing key: {exc.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key


def _send_setup(link: Link, vehicle: Vehicle, key: bytes, timestamp: int) -> None:
    link.send(
        mavlink.MAVLink_setup_signing_message(vehicle.sysid, vehicle.compid, list(key), timestamp)
    )


async def _heartbeat_after(link: Link, vehicle: Vehicle, timeout_s: float) -> None:
    def heartbeat(event: ev.Event) -> bool:
        return isinstance(event, ev.Heartbeat) and event.sysid == vehicle.sysid

    await link.wait_for(heartbeat, timeout_s, what=f"heartbeat from vehicle {vehicle.sysid}")


async def setup_signing(
    link: Link, vehicle: Vehicle, key: bytes, *, attempts: int = 3, timeout_s: float = 5.0
) -> None:
    """Give ``vehicle`` the signing ``key`` and switch ``link`` to it.

    The link sends SETUP_SIGNING signed with whatever key it has now (a
    vehicle that already signs accepts no unsigned one), then signs with the
    new key. Done when a heartbeat passes the new key's check; sent again
    on a lossy link. Raises :class:`SigningError` in the vehicle's words.
    """
    if len(key) != KEY_BYTES:
        raise SigningError(f"a signing key is {KEY_BYTES} bytes, got {len(key)}")
    if vehicle.state.armed:
        raise SigningError(
            f"vehicle {vehicle.sysid} is armed: ArduPilot takes a signing key only when disarmed"
        )
    said: list[str] = []

    def listen(event: ev.Event) -> None:
        if isinstance(event, ev.StatusText) and any(r in event.text for r in _REFUSALS):
            said.append(event.text)

    remove = link.add_listener(listen, sysid=vehicle.sysid)
    old = link.mav.signing.secret_key
    try:
        for _attempt in range(attempts):
            if old is not None:
                link.enable_signing(old)
            _send_setup(link, vehicle, key, signing_timestamp_now())
            link.enable_signing(key)
            try:
                await _heartbeat_after(link, vehicle, timeout_s)
                return
            except LinkTimeout:
                if said:
                    break
    finally:
        remove()
    if old is not None:
        link.enable_signing(old)
    else:
        link.disable_signing()
    why = f"; vehicle says: {' / '.join(said)}" if said else ""
    raise SigningError(
        f"vehicle {vehicle.sysid} did not start signing with the new key after "
        f"{attempts} SETUP_SIGNING message(s){why}"
    )


async def clear_signing(
    link: Link, vehicle: Vehicle, *, attempts: int = 3, timeout_s: float = 5.0
) -> None:
    """Turn signing off on ``vehicle`` (an all-zero key and timestamp, sent signed with
    the link's current key), then on ``link``.

    Done when the vehicle's packets come unsigned: the link, still holding
    the key, refuses them, and they are counted in ``rejected_signature``.
    """
    key = link.mav.signing.secret_key
    if key is None:
        raise SigningError("clearing signing needs the vehicle's current key to sign with")
    if vehicle.state.armed:
        raise SigningError(
            f"vehicle {vehicle.sysid} is armed: ArduPilot changes its signing only when disarmed"
        )
    loop = asyncio.get_running_loop()
    for _attempt in range(attempts):
        refused = link.rejected_signature
        _send_setup(link, vehicle, bytes(KEY_BYTES), 0)
        deadline = loop.time() + timeout_s
        while loop.time() < deadline:
            if link.rejected_signature >= refused + 2:  # unsigned now, and not by chance
                link.disable_signing()
                await _heartbeat_after(link, vehicle, timeout_s)
                return
            await asyncio.sleep(0.05)
    raise SigningError(f"vehicle {vehicle.sysid} still signs after {attempts} attempts to clear")


__all__ = [
    "KEY_BYTES",
    "clear_signing",
    "key_file_is_private",
    "key_from_passphrase",
    "read_key_file",
    "setup_signing",
    "write_new_key",
]
