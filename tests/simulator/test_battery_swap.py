"""The ground crew's battery swap (SIM_BATT_SWAP_S), sans-IO."""

from __future__ import annotations

from simulator import Autopilot, VehicleConfig
from simulator.modes import Mode
from tests.simulator.conftest import HOME


def _fly_and_land(**params: float) -> Autopilot:
    ap = Autopilot(VehicleConfig(*HOME, gps_fix_delay_s=0, ekf_gps_delay_s=0, params=params))
    ap.step(0.02)
    assert ap.set_mode(Mode.GUIDED)
    assert ap.arm(force=False) == 0
    ap.start_takeoff(20.0)
    for _ in range(3000):  # 60 s: climb and hover
        ap.step(0.02)
    assert ap.set_mode(Mode.LAND)
    for _ in range(5000):  # down and disarmed (at most 100 s)
        ap.step(0.02)
        if not ap.armed:
            break
    assert not ap.armed and ap.body.on_ground
    return ap


def test_the_pack_is_swapped_after_the_turnaround() -> None:
    ap = _fly_and_land(SIM_BATT_SWAP_S=30.0)
    used = ap.battery.consumed_mah
    assert used > 100.0
    for _ in range(1000):  # 20 s on the ground: not yet
        ap.step(0.02)
    assert ap.battery.consumed_mah >= used
    for _ in range(750):  # 15 s more: the crew has swapped it
        ap.step(0.02)
    assert ap.battery.remaining_fraction > 0.999
    texts = [str(msg.text) for _, msg in ap.outbox if msg.get_type() == "STATUSTEXT"]
    assert any("Battery swapped" in t for t in texts), texts


def test_no_swap_without_the_parameter() -> None:
    ap = _fly_and_land()
    for _ in range(5000):
        ap.step(0.02)
    assert ap.battery.remaining_fraction < 0.99
