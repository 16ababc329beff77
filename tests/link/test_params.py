"""Parameters: fetch all with gaps, get, set verified by the echo, version-renamed names."""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import ParameterError
from overwatch.link import Link
from overwatch.link.params import alternatives, convert
from tests.link.peer import PeerHost

REAL32 = mavlink.MAV_PARAM_TYPE_REAL32
INT8 = mavlink.MAV_PARAM_TYPE_INT8


def _load(host: PeerHost, *, new_names: bool = False) -> None:
    v = host.vehicle
    v.params = {f"TEST_P{i:02d}": (float(i) * 0.5, REAL32) for i in range(30)}
    v.params["MAV_SYSID" if new_names else "SYSID_THISMAV"] = (1.0, INT8)
    v.params["MAV2_POSITION" if new_names else "SR1_POSITION"] = (2.0, INT8)
    v.params["WPNAV_SPEED"] = (500.0, REAL32)


async def test_fetch_all_re_requests_missing_indices(link: Link, host: PeerHost) -> None:
    _load(host)
    host.vehicle.param_skip_first_pass = {0, 7, 8, 31}
    vehicle = await link.wait_vehicle(timeout_s=5)
    progress: list[tuple[int, int]] = []
    values = await vehicle.params.fetch_all(
        lambda got, total: progress.append((got, total)), quiet_s=0.2
    )
    assert len(values) == 33
    assert values["TEST_P07"] == 3.5 and values["SR1_POSITION"] == 2
    assert progress[-1] == (33, 33)
    assert host.vehicle.received_by_type["PARAM_REQUEST_READ"] == 4  # exactly the gaps


async def test_get_and_set_verified_by_echo(link: Link, host: PeerHost) -> None:
    _load(host)
    vehicle = await link.wait_vehicle(timeout_s=5)
    assert await vehicle.params.get("wpnav_speed") == 500
    assert await vehicle.params.set("WPNAV_SPEED", 750.25) == pytest.approx(750.25)
    assert host.vehicle.params["WPNAV_SPEED"][0] == pytest.approx(750.25)
    # An integer parameter: the vehicle rounds, and the echo shows it did.
    with pytest.raises(ParameterError, match=r"set SR1_POSITION=2.6: vehicle 1 holds 3 instead"):
        await vehicle.params.set("SR1_POSITION", 2.6)


async def test_set_value_speaks_4_8_names_to_an_older_vehicle(link: Link, host: PeerHost) -> None:
    _load(host)  # the peer holds WPNAV_SPEED in cm/s, as ArduCopter before 4.8
    vehicle = await link.wait_vehicle(timeout_s=5)
    assert await vehicle.params.set_value("WP_SPD", 12.5) == pytest.approx(12.5)
    assert host.vehicle.params["WPNAV_SPEED"][0] == pytest.approx(1250)
    assert await vehicle.params.get_value("WP_SPD") == pytest.approx(12.5)


async def test_unknown_parameter_is_a_clear_error(link: Link, host: PeerHost) -> None:
    _load(host)
    vehicle = await link.wait_vehicle(timeout_s=5)
    vehicle.params.timeout_s = 0.1
    with pytest.raises(ParameterError, match="parameter NO_SUCH: no answer from vehicle 1"):
        await vehicle.params.get("NO_SUCH")


@pytest.mark.parametrize("new_names", [False, True])
async def test_resolve_finds_the_name_this_firmware_uses(
    link: Link, host: PeerHost, new_names: bool
) -> None:
    _load(host, new_names=new_names)
    vehicle = await link.wait_vehicle(timeout_s=5)
    vehicle.params.timeout_s = 0.1
    assert await vehicle.params.resolve("SYSID_THISMAV") == (
        "MAV_SYSID" if new_names else "SYSID_THISMAV"
    )
    assert await vehicle.params.resolve("SR1_POSITION") == (
        "MAV2_POSITION" if new_names else "SR1_POSITION"
    )
    with pytest.raises(ParameterError, match="none of NOPE"):
        await vehicle.params.resolve("NOPE")


def test_alternatives() -> None:
    assert alternatives("SYSID_THISMAV") == ["SYSID_THISMAV", "MAV_SYSID"]
    assert alternatives("sr0_extra1") == ["SR0_EXTRA1", "MAV1_EXTRA1"]
    assert alternatives("MAV3_RAW_SENS") == ["MAV3_RAW_SENS", "SR2_RAW_SENS"]
    assert alternatives("WPNAV_SPEED") == ["WPNAV_SPEED", "WP_SPD"]
    assert alternatives("WP_SPD") == ["WP_SPD", "WPNAV_SPEED"]
    assert alternatives("FENCE_ENABLE") == ["FENCE_ENABLE"]


def test_convert_between_version_units() -> None:
    assert convert(750, "WPNAV_SPEED", "WP_SPD") == pytest.approx(7.5)
    assert convert(7.5, "WP_SPD", "WPNAV_SPEED") == pytest.approx(750)
    assert convert(3, "FENCE_TYPE", "FENCE_TYPE") == 3
