"""Message rates after SET_MESSAGE_INTERVAL, measured in vehicle time."""

from __future__ import annotations

from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.link.vehicle import DEFAULT_TELEMETRY_HZ
from tests.differential.harness import Station, result_name

#: Measured over this much vehicle time.
WINDOW_S = 20.0


def measured_hz(s: Station, names: list[str]) -> dict[str, float]:
    """Each message's rate over :data:`WINDOW_S` of vehicle time (by the station's clock)."""
    s.wait(2.0)  # let the new intervals take hold
    start = s.vehicle_s
    got = s.wait(WINDOW_S)
    span = s.vehicle_s - start
    return {
        name: sum(1 for m in got if m.get_type() == name and m.get_srcSystem() == 1) / span
        for name in names
    }


def verdict(measured: float, wanted: float) -> str:
    """ "ok" within ±25 % of ``wanted`` (at least one message either way), else the figure."""
    slack = max(0.25 * wanted, 1.0 / WINDOW_S)
    if abs(measured - wanted) <= slack:
        return "ok"
    return f"{measured:.2f} Hz"


def probe_rates(s: Station) -> dict[str, Any]:
    """Overwatch's own telemetry request, then a faster and a stopped stream."""
    out: dict[str, Any] = {}
    for name, hz in DEFAULT_TELEMETRY_HZ.items():
        out[f"ack {name}"] = result_name(s.stream(name, hz))
    rates = measured_hz(s, list(DEFAULT_TELEMETRY_HZ))
    for name, hz in DEFAULT_TELEMETRY_HZ.items():
        out[f"{name} at {hz:g} Hz"] = verdict(rates[name], hz)
    out["ack ATTITUDE 25 Hz"] = result_name(s.stream("ATTITUDE", 25.0))
    out["ack VFR_HUD off"] = result_name(s.stream("VFR_HUD", 0))
    rates = measured_hz(s, ["ATTITUDE", "VFR_HUD"])
    out["ATTITUDE at 25 Hz"] = verdict(rates["ATTITUDE"], 25.0)
    out["VFR_HUD off"] = verdict(rates["VFR_HUD"], 0.0)
    ack = s.command(mav.MAV_CMD_GET_MESSAGE_INTERVAL, mav.MAVLINK_MSG_ID_ATTITUDE)
    interval = s.recv("MESSAGE_INTERVAL", 3.0)
    out["GET_MESSAGE_INTERVAL ATTITUDE"] = (
        result_name(ack),
        None if interval is None else interval.interval_us,
    )
    return out
