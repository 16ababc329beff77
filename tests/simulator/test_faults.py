"""Fault injection on the links, and determinism with a seed."""

from __future__ import annotations

import time

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator import LinkFaults
from simulator.autopilot import Autopilot, VehicleConfig
from simulator.faults import FaultyLink, FrameSplitter
from tests.simulator.conftest import HOME, GcsFactory, StartFleet


def _frames(n: int) -> list[bytes]:
    enc = mav.MAVLink(None, srcSystem=1, srcComponent=1)
    return [mav.MAVLink_heartbeat_message(2, 3, 0, i, 3, 3).pack(enc) for i in range(n)]


def _run(
    faults: LinkFaults, frames: list[bytes], now: list[float]
) -> tuple[list[bytes], list[bytes]]:
    sent: list[bytes] = []
    delivered: list[bytes] = []
    link = FaultyLink(faults, sent.append, delivered.append, lambda: now[0])
    for f in frames:
        link.send(f)
        link.receive(f)
    return sent, delivered


def test_loss_is_per_direction_and_deterministic() -> None:
    frames = _frames(2000)
    faults = LinkFaults(loss_up_pct=10, loss_down_pct=50, seed=7)
    down, up = _run(faults, frames, [0.0])
    assert 900 < len(down) < 1100
    assert 1700 < len(up) < 1900
    again_down, again_up = _run(faults, frames, [0.0])
    assert again_down == down and again_up == up
    other_down, _ = _run(LinkFaults(loss_up_pct=10, loss_down_pct=50, seed=8), frames, [0.0])
    assert other_down != down


def test_latency_duplication_corruption_and_outages() -> None:
    frames = _frames(200)
    now = [0.0]
    sent: list[bytes] = []
    link = FaultyLink(
        LinkFaults(latency_ms=300, jitter_ms=100), sent.append, lambda f: None, lambda: now[0]
    )
    for f in frames:
        link.send(f)
    assert sent == []
    now[0] = 0.299
    link.pump()
    assert sent == []
    now[0] = 0.45
    link.pump()
    assert len(sent) == 200

    dup, _ = _run(LinkFaults(duplicate_pct=100), frames, [0.0])
    assert len(dup) == 400

    bad, _ = _run(LinkFaults(corrupt_pct=100, seed=3), frames, [0.0])
    parser = mav.MAVLink(None)
    parser.robust_parsing = True
    good = [m for f in bad for m in (parser.parse_buffer(f) or []) if m.get_type() == "HEARTBEAT"]
    assert len(good) < 5  # the CRC catches (nearly) every flipped bit

    out, _ = _run(LinkFaults(outages=((10.0, 20.0),)), frames, [15.0])
    assert out == []
    out, _ = _run(LinkFaults(outages=((10.0, 20.0),)), frames, [20.0])
    assert len(out) == 200


def test_frame_splitter_reassembles_a_stream() -> None:
    frames = _frames(5)
    stream = b"junk" + b"".join(frames)
    splitter = FrameSplitter()
    out = []
    for i in range(0, len(stream), 7):
        out += splitter.feed(stream[i : i + 7])
    assert out == frames


def test_loss_on_a_live_link_thins_the_heartbeats(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=20, faults=LinkFaults(loss_down_pct=50, seed=1))
    gcs = gcs_factory(ft.port())
    start = ft.sim_time()
    got = [m for m in gcs.drain(1.5) if m.get_type() == "HEARTBEAT"]
    expected = ft.sim_time() - start  # one heartbeat per simulated second
    assert 0.25 * expected < len(got) < 0.75 * expected, (len(got), expected)


def test_latency_on_a_live_link_delays_answers(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=1, faults=LinkFaults(latency_ms=400))
    gcs = gcs_factory(ft.port())
    gcs.recv("HEARTBEAT", 3.0)
    t0 = time.monotonic()
    ack = gcs.command(mav.MAV_CMD_REQUEST_MESSAGE, 148)
    elapsed = time.monotonic() - t0
    assert ack is not None
    assert 0.75 < elapsed < 3.0  # 400 ms each way


def test_outage_at_simulated_time_silences_the_link(
    start_fleet: StartFleet, gcs_factory: GcsFactory
) -> None:
    ft = start_fleet(speedup=10, params={"SR0_EXTRA3": 4}, faults=LinkFaults(outages=((3.0, 8.0),)))
    gcs = gcs_factory(ft.port())
    stamps = [m.time_boot_ms / 1000 for m in gcs.drain(1.2) if m.get_type() == "SYSTEM_TIME"]
    assert any(t < 3.0 for t in stamps) and any(t >= 8.0 for t in stamps), stamps
    assert not any(3.0 <= t < 8.0 for t in stamps), stamps


def _fly(seed: int) -> tuple[float, float, float]:
    ap = Autopilot(
        VehicleConfig(
            *HOME, seed=seed, gust_m_s=3.0, wind_speed_m_s=6.0, gps_fix_delay_s=0, ekf_gps_delay_s=0
        )
    )
    ap.step(0.02)
    ap.set_mode(4)
    assert ap.arm(force=False) == 0
    ap.start_takeoff(20.0)
    for _ in range(3000):
        ap.step(0.02)
    return ap.body.x_m, ap.body.y_m, ap.body.z_m


def test_same_seed_same_flight_in_gusts() -> None:
    a, b, c = _fly(5), _fly(5), _fly(6)
    assert a == b
    assert a != c
    assert abs(a[0]) < 3 and abs(a[1]) < 3  # the position loop holds against the gusts
