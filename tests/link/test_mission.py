"""Mission, fence and rally transfers against a peer that answers like ArduPilot."""

from __future__ import annotations

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import MissionTransferError
from overwatch.items import (
    Cmd,
    Frame,
    MissionItem,
    MissionType,
    as_ardupilot_stores,
    home_placeholder,
)
from overwatch.link import Link
from tests.link.peer import HOME_LAT_DEG, PeerHost, ScriptedVehicle


def _mission(n_waypoints: int) -> list[MissionItem]:
    items = [home_placeholder()]
    items.append(MissionItem(Cmd.NAV_TAKEOFF, Frame.GLOBAL_RELATIVE_ALT_INT, alt_m=30))
    for i in range(n_waypoints):
        items.append(
            MissionItem(
                Cmd.NAV_WAYPOINT,
                Frame.GLOBAL_RELATIVE_ALT_INT,
                lat_deg=13.5 + i * 1e-3 + 1.23e-7,
                lon_deg=2.1 - i * 1e-3,
                alt_m=40 + i,
            )
        )
    items.append(MissionItem(Cmd.DO_CHANGE_SPEED, Frame.MISSION, param1=1, param2=8.5))
    items.append(MissionItem(Cmd.NAV_RETURN_TO_LAUNCH, Frame.MISSION))
    return items


async def test_upload_download_verify_mission(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    # Resends answer silence: with both sides' resend timers far beyond any scheduling
    # delay of a loaded machine, a clean loopback link needs none, so the counts are exact.
    host.vehicle.mission_retry_s = 30.0
    vehicle.mission.item_timeout_s = 30.0
    vehicle.mission.transfer_timeout_s = 120.0
    items = _mission(10)
    await vehicle.mission.upload(items)  # verifies by downloading
    # The peer asked with MISSION_REQUEST (not _INT), as ArduPilot does; on a clean
    # link each item went once, and the verifying download asked for each once.
    assert host.vehicle.mission_requests_sent == len(items)
    assert host.vehicle.received_by_type["MISSION_ITEM_INT"] == len(items)
    assert host.vehicle.received_by_type["MISSION_REQUEST_INT"] == len(items)
    stored = await vehicle.mission.download()
    assert len(stored) == len(items)
    assert stored[0].lat_deg == pytest.approx(HOME_LAT_DEG)  # home, written by the vehicle
    assert stored[2].frame == Frame.GLOBAL_RELATIVE_ALT  # frame 6 comes back as 3
    # and each holds what ArduPilot keeps of the item sent (DO_CHANGE_SPEED loses its frame)
    assert all(
        as_ardupilot_stores(a).same_as(b) for a, b in zip(items[1:], stored[1:], strict=True)
    )


async def test_fence_and_rally_are_kept_apart(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    fence = [
        MissionItem(
            Cmd.NAV_FENCE_POLYGON_VERTEX_INCLUSION,
            Frame.GLOBAL,
            param1=4,
            lat_deg=13.5 + dlat,
            lon_deg=2.1 + dlon,
            mission_type=MissionType.FENCE,
        )
        for dlat, dlon in ((0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01))
    ]
    rally = [
        MissionItem(
            Cmd.NAV_RALLY_POINT,
            Frame.GLOBAL_RELATIVE_ALT,
            lat_deg=13.51,
            lon_deg=2.11,
            alt_m=25,
            mission_type=MissionType.RALLY,
        )
    ]
    await vehicle.mission.upload(fence, MissionType.FENCE)
    await vehicle.mission.upload(rally, MissionType.RALLY)
    assert len(await vehicle.mission.download(MissionType.FENCE)) == 4
    got_rally = await vehicle.mission.download(MissionType.RALLY)
    assert as_ardupilot_stores(rally[0]).same_as(got_rally[0])
    assert await vehicle.mission.download(MissionType.MISSION) == []
    await vehicle.mission.clear(MissionType.FENCE)
    assert await vehicle.mission.download(MissionType.FENCE) == []
    assert len(await vehicle.mission.download(MissionType.RALLY)) == 1


async def test_refusal_carries_the_mission_result(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    host.vehicle.mission_capacity = 5
    with pytest.raises(MissionTransferError) as caught:
        await vehicle.mission.upload(_mission(10))
    assert caught.value.result == mavlink.MAV_MISSION_NO_SPACE
    assert caught.value.result_name == "MAV_MISSION_NO_SPACE"


async def test_verify_reports_the_differing_item(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    items = _mission(3)
    await vehicle.mission.upload(items)
    changed = list(items)
    changed[3] = MissionItem(
        Cmd.NAV_WAYPOINT, Frame.GLOBAL_RELATIVE_ALT_INT, 0, 0, 0, 0, 13.6, 2.2, 99
    )
    with pytest.raises(MissionTransferError, match="item 3 differs"):
        await vehicle.mission.verify(changed)
    await vehicle.mission.verify(items)  # item 0 (home) differs, and is not compared


async def test_upload_survives_30_percent_loss_each_way() -> None:
    lossy = ScriptedVehicle(drop_in=0.3, drop_out=0.3, seed=3, mission_retry_s=1.0)
    host = PeerHost(lossy)
    try:
        port = await host.serve_tcp()
        async with Link(f"tcp:127.0.0.1:{port}") as link:
            vehicle = await link.wait_vehicle(timeout_s=5)
            vehicle.mission.item_timeout_s = 0.05
            vehicle.mission.transfer_timeout_s = 120.0  # bounds the upload: no wall clock here
            items = _mission(25)
            await vehicle.mission.upload(items)  # with verification by download
            stored = lossy.missions[0]
            assert len(stored) == len(items)
            assert stored[5][9] == pytest.approx(items[5].alt_m)
            assert vehicle.state.link_quality_pct() < 90  # the loss was real
    finally:
        await host.close()


async def test_silent_vehicle_times_the_transfer_out(link: Link, host: PeerHost) -> None:
    vehicle = await link.wait_vehicle(timeout_s=5)
    vehicle.mission.item_timeout_s = 0.05
    vehicle.mission.transfer_timeout_s = 0.4
    host.vehicle.drop_in = 1.0
    with pytest.raises(MissionTransferError, match=r"timed out after 0\.4 s"):
        await vehicle.mission.upload(_mission(2))
    with pytest.raises(MissionTransferError, match="download timed out"):
        await vehicle.mission.download()
