"""Parameter probes: which names the vehicle knows, with which type and value."""

from __future__ import annotations

from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mav

from simulator.parameters import Parameters
from tests.differential.harness import Station


def read(s: Station, name: str) -> tuple[Any, ...]:
    s.mav.param_request_read_send(1, 1, name.encode(), -1)
    msg = s.recv("PARAM_VALUE", 0.4, cond=lambda m: m.param_id == name)
    if msg is None:
        return ("absent",)
    kind = str(mav.enums["MAV_PARAM_TYPE"][msg.param_type].name).removeprefix("MAV_PARAM_TYPE_")
    return (kind, round(float(msg.param_value), 3))


#: Names that differ between 4.5 and 4.7/4.8, asked for by both spellings.
RENAMES = (
    "SYSID_THISMAV",
    "SYSID_MYGCS",
    "WPNAV_SPEED",
    "RTL_ALT",
    "LAND_SPEED",
    "SR0_POSITION",
    "ARMING_CHECK",
)


def probe_params(s: Station) -> dict[str, Any]:
    """Every parameter the built-in simulator has (4.8 names), read from the vehicle."""
    names = [n for n in Parameters("4.8").wire_names() if not n.startswith("SIM_")]
    return {name: read(s, name) for name in [*names, *RENAMES]}
