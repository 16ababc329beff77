"""The mission protocol for MISSION, FENCE and RALLY lists."""

from __future__ import annotations

import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from tests.simulator.conftest import HOME, GcsFactory, StartFleet, seq_is

LAT, LON, _ = HOME
REL_INT = mav.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT


def _mission() -> list[tuple[int, int, float, float, float, float, float]]:
    return [
        (16, 0, 0, 0.0, 0.0, 0.0, 0),  # home placeholder: replaced
        (22, REL_INT, 0, 0.0, 0.0, 20.0, 0),
        (16, REL_INT, 0, LAT + 0.0005, LON, 25.0, 0),
        (178, mav.MAV_FRAME_MISSION, 1, 0.0, 0.0, 0.0, 8.0),
        (16, REL_INT, 2, LAT + 0.0005, LON + 0.0005, 25.0, 0),
        (21, REL_INT, 0, LAT, LON + 0.0005, 0.0, 0),
    ]


def test_upload_is_answered_with_mission_request_and_item0_is_home(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=10)
    gcs = gcs_factory(ft.port())
    while not ft.ap.home_set:
        time.sleep(0.01)
    items = _mission()
    gcs.mav.mission_count_send(1, 1, len(items), 0)
    first = gcs.recv(("MISSION_REQUEST", "MISSION_REQUEST_INT"), 2.0)
    assert first.get_type() == "MISSION_REQUEST" and first.seq == 0
    assert first.target_system == 255
    for seq, (cmd, frame, p1, lat, lon, alt, p2) in enumerate(items):
        if seq:
            req = gcs.recv(("MISSION_REQUEST", "MISSION_REQUEST_INT"), 2.0)
            assert req.get_type() == "MISSION_REQUEST" and req.seq == seq
        gcs.mav.mission_item_int_send(
            1, 1, seq, frame, cmd, 0, 1, p1, p2, 0, 0, round(lat * 1e7), round(lon * 1e7), alt, 0
        )
    ack = gcs.recv("MISSION_ACK", 2.0)
    assert ack.type == mav.MAV_MISSION_ACCEPTED

    got = gcs.download()
    assert len(got) == len(items)
    home = got[0]
    assert home.frame == mav.MAV_FRAME_GLOBAL
    assert abs(home.x / 1e7 - LAT) < 1e-6 and abs(home.y / 1e7 - LON) < 1e-6
    assert abs(home.z - HOME[2]) < 0.01
    for sent, item in zip(items[1:], got[1:], strict=True):
        assert item.command == sent[0]
        if sent[1] == REL_INT:
            assert item.frame == mav.MAV_FRAME_GLOBAL_RELATIVE_ALT  # frame 6 comes back as 3
        assert item.x == round(sent[3] * 1e7) and item.y == round(sent[4] * 1e7)
    # MISSION_REQUEST (float) is answered with MISSION_ITEM
    gcs.mav.mission_request_send(1, 1, 2, 0)
    legacy = gcs.recv("MISSION_ITEM", 2.0)
    assert legacy is not None and abs(legacy.x - (LAT + 0.0005)) < 1e-6 and legacy.frame == 3
    # out of range
    gcs.mav.mission_request_int_send(1, 1, 99, 0)
    assert gcs.recv("MISSION_ACK", 2.0).type == mav.MAV_MISSION_INVALID_SEQUENCE
    # clear
    gcs.mav.mission_clear_all_send(1, 1, 0)
    assert gcs.recv("MISSION_ACK", 2.0).type == mav.MAV_MISSION_ACCEPTED
    gcs.mav.mission_request_list_send(1, 1, 0)
    assert gcs.recv("MISSION_COUNT", 2.0).count == 0  # as ArduCopter: cleared means empty


def test_upload_tolerates_loss_with_re_requests(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=5)
    gcs = gcs_factory(ft.port())
    items = _mission()[:3]
    gcs.mav.mission_count_send(1, 1, len(items), 0)
    req = gcs.recv("MISSION_REQUEST", 2.0)
    assert req.seq == 0
    # pretend the item was lost: the vehicle asks again (about 1 s later)
    again = gcs.recv("MISSION_REQUEST", 3.0)
    assert again is not None and again.seq == 0
    for seq, (cmd, frame, p1, lat, lon, alt, p2) in enumerate(items):
        if seq:
            gcs.recv("MISSION_REQUEST", 2.0, cond=seq_is(seq))
        gcs.mav.mission_item_int_send(
            1, 1, seq, frame, cmd, 0, 1, p1, p2, 0, 0, round(lat * 1e7), round(lon * 1e7), alt, 0
        )
        if seq == 1:  # a duplicate of an earlier item: INVALID_SEQUENCE, transfer goes on
            gcs.mav.mission_item_int_send(1, 1, 0, frame, cmd, 0, 1, p1, p2, 0, 0, 0, 0, alt, 0)
            bad = gcs.recv("MISSION_ACK", 2.0)
            assert bad.type == mav.MAV_MISSION_INVALID_SEQUENCE
    ack = gcs.recv("MISSION_ACK", 3.0, cond=lambda m: m.type == 0)
    assert ack is not None
    assert len(ft.ap.store.get(0)) == 3


def test_upload_errors(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=5)
    gcs = gcs_factory(ft.port())
    gcs.mav.mission_count_send(1, 1, 5000, 0)
    assert gcs.recv("MISSION_ACK", 2.0).type == mav.MAV_MISSION_NO_SPACE
    bad_frame = [(16, 0, 0, 0.0, 0.0, 0.0, 0), (16, mav.MAV_FRAME_LOCAL_NED, 0, LAT, LON, 10, 0)]
    assert gcs.upload(bad_frame).type == mav.MAV_MISSION_UNSUPPORTED_FRAME
    bad_cmd = [(16, 0, 0, 0.0, 0.0, 0.0, 0), (5001, 0, 4, LAT, LON, 10, 0)]
    assert gcs.upload(bad_cmd).type == mav.MAV_MISSION_UNSUPPORTED  # fence item in a mission
    assert ft.ap.store.get(0) == []  # nothing half-stored


def test_fence_and_rally_lists(start_fleet: StartFleet, gcs_factory: GcsFactory) -> None:
    ft = start_fleet(speedup=5)
    gcs = gcs_factory(ft.port())
    d = 0.001
    square = [(LAT - d, LON - d), (LAT - d, LON + d), (LAT + d, LON + d), (LAT + d, LON - d)]
    fence = [(5001, 0, 4, lat, lon, 0.0, 0) for lat, lon in square]
    fence += [(5004, 0, 30, LAT + d / 2, LON, 0.0, 0), (5000, 0, 0, LAT, LON, 20.0, 0)]
    assert gcs.upload(fence, mission_type=1).type == mav.MAV_MISSION_ACCEPTED
    got = gcs.download(mission_type=1)
    assert [i.command for i in got] == [5001] * 4 + [5004, 5000]
    assert got[0].param1 == 4 and got[4].param1 == 30
    assert ft.ap.params["FENCE_TOTAL"] == 6
    broken = [(5001, 0, 4, lat, lon, 0.0, 0) for lat, lon in square[:3]]  # says 4, has 3
    assert gcs.upload(broken, mission_type=1).type == mav.MAV_MISSION_INVALID_PARAM1
    rally = [(5100, mav.MAV_FRAME_GLOBAL_RELATIVE_ALT, 0, LAT + d, LON, 30.0, 0)]
    assert gcs.upload(rally, mission_type=2).type == mav.MAV_MISSION_ACCEPTED
    got = gcs.download(mission_type=2)
    assert len(got) == 1 and got[0].command == 5100 and got[0].z == 30.0
