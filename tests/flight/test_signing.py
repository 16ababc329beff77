"""MAVLink 2 signing on a vehicle: once it has a key, unsigned GUIDED commands are ignored
and signed ones obeyed — on the built-in simulator and on ArduPilot SITL alike.

The unsigned and the signed ground station both use the vehicle's second port
(``watch_url``): SITL's serial1, a telemetry radio's port. ArduPilot takes
anything on SERIAL0 (USB on a flight controller) unsigned, so that port
proves nothing.
"""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import LinkTimeout, SigningError
from overwatch.link import Link, Vehicle
from overwatch.link import events as ev
from overwatch.link.signing import (
    clear_signing,
    key_from_passphrase,
    read_key_file,
    setup_signing,
)
from overwatch.ops.fly import gcs_heartbeat_hz
from tests.flight.backends import SHORT_ROAD, VEHICLE_PATROL, Backend, RunningVehicle
from tests.flight.helpers import ground_station, overwatch_cli, until
from tests.flight.test_takeoff import arm_in_guided

KEY = key_from_passphrase("amber kestrel over the wadi")
NORTH_M = 150.0


def _moved_m(vehicle: Vehicle, start: tuple[float, float]) -> float:
    from overwatch.geo.frame import geodesic_distance_m

    lat, lon = vehicle.state.lat_deg, vehicle.state.lon_deg
    assert lat is not None and lon is not None
    return geodesic_distance_m(start[0], start[1], lat, lon)


async def _sim_seconds(running: RunningVehicle, seconds: float) -> None:
    await asyncio.sleep(seconds / running.speedup)


async def test_unsigned_guided_commands_are_ignored_and_signed_ones_obeyed(
    backend: Backend,
) -> None:
    running = await backend.start(SHORT_ROAD)
    hz = gcs_heartbeat_hz(running.speedup)
    async with ground_station(running) as (link, vehicle):
        await setup_signing(link, vehicle, KEY)
        assert link.signing and link.mav.signing.goodsig_count > 0
        await arm_in_guided(vehicle)
        await vehicle.takeoff_and_climb(20.0, timeout_s=90, stall_s=30)
        lat, lon = vehicle.state.lat_deg, vehicle.state.lon_deg
        assert lat is not None and lon is not None
        target = (lat + NORTH_M / 111_320.0, lon)

        async with Link(running.watch_url, sysid=254, heartbeat_hz=hz) as unsigned:
            radio = await unsigned.wait_vehicle(timeout_s=30)  # it hears the vehicle…
            with pytest.raises(LinkTimeout, match="no COMMAND_ACK"):
                await radio.set_mode("LOITER", confirm_timeout_s=1.0)  # …which ignores it
            for _ in range(10):
                radio.goto(*target, 20.0)
                await _sim_seconds(running, 1.0)
            assert vehicle.state.mode == "GUIDED"
            assert _moved_m(vehicle, (lat, lon)) < 5.0, "an unsigned goto was obeyed"

        async with Link(running.watch_url, sysid=253, heartbeat_hz=hz, signing_key=KEY) as signed:
            radio = await signed.wait_vehicle(timeout_s=30)
            assert signed.rejected_signature == 0
            radio.goto(*target, 20.0)
            await until(
                lambda: _moved_m(vehicle, (lat, lon)) > NORTH_M / 3,
                timeout_s=120,
                what="the vehicle flying to the signed goto",
            )
            assert vehicle.state.mode == "GUIDED"

        # an armed vehicle keeps its key, in its own words
        said = link.waiter(lambda e: isinstance(e, ev.StatusText) and "signing" in e.text)
        link.send(mavlink.MAVLink_setup_signing_message(vehicle.sysid, 1, [0] * 32, 0))
        text = await asyncio.wait_for(said, 30)
        assert isinstance(text, ev.StatusText) and "Won't setup signing when armed" in text.text
        with pytest.raises(SigningError, match="armed"):
            await clear_signing(link, vehicle)


async def test_signing_can_be_turned_off_again(backend: Backend) -> None:
    running = await backend.start(SHORT_ROAD)
    async with ground_station(running, ready=False) as (link, vehicle):
        await setup_signing(link, vehicle, KEY)
        await clear_signing(link, vehicle)
        assert not link.signing
    async with Link(running.watch_url, sysid=254) as unsigned:
        radio = await unsigned.wait_vehicle(timeout_s=30)
        await radio.set_mode("GUIDED")  # taken unsigned again
        assert radio.state.mode == "GUIDED"


async def test_the_command_line_sets_up_signs_and_clears(backend: Backend, tmp_path: Path) -> None:
    running = await backend.start(VEHICLE_PATROL)
    key_file = tmp_path / "drone.key"
    made = await overwatch_cli("signing", "new-key", str(key_file))
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(read_key_file(key_file)) == 32
    again = await overwatch_cli("signing", "new-key", str(key_file))
    assert again.returncode == 2 and "never overwritten" in again.stderr
    with_key = ("--signing-key-file", str(key_file))
    radio = ("--connect", running.watch_url)
    setup = await overwatch_cli("signing", "setup", *radio, *with_key)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "signing with the new key" in setup.stdout
    fly = ("fly", str(VEHICLE_PATROL), *radio, "--speedup", f"{running.speedup:g}", "--dry-run")
    # without the key the vehicle ignores the ground station, which says why
    unsigned = await overwatch_cli(*fly, "--ready-timeout", "10")
    assert unsigned.returncode == 2, unsigned.stdout + unsigned.stderr
    assert "signs its MAVLink and will ignore unsigned commands" in unsigned.stdout
    signed = await overwatch_cli(*fly, *with_key)
    assert signed.returncode == 0, signed.stdout + signed.stderr
    assert "uploaded and verified" in signed.stdout and "signs its MAVLink" not in signed.stdout
    # the wrong key is no key
    wrong = await overwatch_cli("signing", "clear", *radio, "--signing-passphrase", "guess")
    assert wrong.returncode == 2 and "signs with another key" in wrong.stderr
    cleared = await overwatch_cli("signing", "clear", *radio, *with_key)
    assert cleared.returncode == 0, cleared.stdout + cleared.stderr
    async with Link(running.watch_url, sysid=254) as unsigned_link:
        vehicle = await unsigned_link.wait_vehicle(timeout_s=30)
        await vehicle.set_mode("GUIDED")
        assert not unsigned_link.heard_signed


def test_a_passphrase_gives_mavproxys_key_and_key_files_are_checked(tmp_path: Path) -> None:
    from MAVProxy.modules.mavproxy_signing import SigningModule

    passphrase = "amber kestrel over the wadi"
    assert key_from_passphrase(passphrase) == SigningModule.passphrase_to_key(None, passphrase)
    hex_file = tmp_path / "hex.key"
    hex_file.write_text(KEY.hex().upper() + "\n")
    raw_file = tmp_path / "raw.key"
    raw_file.write_bytes(KEY)
    assert read_key_file(hex_file) == read_key_file(raw_file) == KEY
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    with pytest.raises(SigningError, match=r"bad.key: expected a signing key as 64 hex"):
        read_key_file(bad)
    with pytest.raises(SigningError, match=r"missing.key: cannot read the signing key"):
        read_key_file(tmp_path / "missing.key")
    with pytest.raises(SigningError, match="passphrase is empty"):
        key_from_passphrase("")
