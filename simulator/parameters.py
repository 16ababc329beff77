"""The vehicle's parameter table, with ArduCopter names, units and types.

ArduPilot keeps several parameters in centimetres (``WPNAV_SPEED`` cm/s,
``RTL_ALT`` cm); this table keeps ArduPilot's units so a client that reads
or writes them sees what a real vehicle shows. ``naming="4.7"`` renames the
system-id parameters the way ArduCopter 4.7 does (``MAV_SYSID`` instead of
``SYSID_THISMAV``, ``MAV_GCS_SYSID`` instead of ``SYSID_MYGCS``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from overwatch.errors import SimulatorError

# MAV_PARAM_TYPE values
INT8 = 2
INT16 = 4
INT32 = 6
REAL32 = 9

ParamNaming = Literal["4.5", "4.7"]

#: name → (default, MAV_PARAM_TYPE). Names as in ArduCopter 4.5.
_DEFAULTS: dict[str, tuple[float, int]] = {
    "SYSID_THISMAV": (1, INT16),
    "SYSID_MYGCS": (255, INT16),
    "FRAME_CLASS": (1, INT8),
    "FRAME_TYPE": (0, INT8),
    "ARMING_CHECK": (1, INT32),
    "DISARM_DELAY": (10, INT8),
    "AUTO_OPTIONS": (0, INT32),
    "GUID_TIMEOUT": (3.0, REAL32),
    "WP_YAW_BEHAVIOR": (2, INT8),
    "FS_GCS_ENABLE": (0, INT8),
    "FS_GCS_TIMEOUT": (5.0, REAL32),
    "FS_OPTIONS": (0, INT32),
    "FENCE_ENABLE": (0, INT8),
    "FENCE_TYPE": (7, INT8),
    "FENCE_ACTION": (1, INT8),
    "FENCE_ALT_MAX": (100.0, REAL32),
    "FENCE_ALT_MIN": (-10.0, REAL32),
    "FENCE_RADIUS": (300.0, REAL32),
    "FENCE_MARGIN": (2.0, REAL32),
    "FENCE_TOTAL": (0, INT8),
    "BATT_MONITOR": (4, INT8),
    "BATT_CAPACITY": (3300, INT32),
    "BATT_LOW_VOLT": (10.5, REAL32),
    "BATT_CRT_VOLT": (0.0, REAL32),
    "BATT_LOW_MAH": (0.0, REAL32),
    "BATT_CRT_MAH": (0.0, REAL32),
    "BATT_LOW_TIMER": (10, INT8),
    "BATT_FS_LOW_ACT": (0, INT8),
    "BATT_FS_CRT_ACT": (0, INT8),
    "WPNAV_SPEED": (500.0, REAL32),
    "WPNAV_SPEED_UP": (250.0, REAL32),
    "WPNAV_SPEED_DN": (150.0, REAL32),
    "WPNAV_ACCEL": (250.0, REAL32),
    "WPNAV_ACCEL_Z": (100.0, REAL32),
    "WPNAV_RADIUS": (200.0, REAL32),
    "RTL_ALT": (1500, INT32),
    "RTL_ALT_FINAL": (0, INT32),
    "RTL_CLIMB_MIN": (0, INT32),
    "RTL_SPEED": (0, INT32),
    "RTL_LOIT_TIME": (5000, INT32),
    "LAND_SPEED": (50, INT16),
    "LAND_SPEED_HIGH": (0, INT16),
    "LAND_ALT_LOW": (1000, INT16),
    "CIRCLE_RATE": (20.0, REAL32),
    "RALLY_TOTAL": (0, INT8),
    "RALLY_LIMIT_KM": (0.3, REAL32),
    "RALLY_INCL_HOME": (1, INT8),
    "FOLL_ENABLE": (0, INT8),
    "FOLL_SYSID": (0, INT16),
    "FOLL_OFS_X": (0.0, REAL32),
    "FOLL_OFS_Y": (0.0, REAL32),
    "FOLL_OFS_Z": (0.0, REAL32),
    "FOLL_OFS_TYPE": (0, INT8),
    "FOLL_ALT_TYPE": (1, INT8),
    "FOLL_DIST_MAX": (100.0, REAL32),
    "FOLL_YAW_BEHAVE": (1, INT8),
    "FOLL_POS_P": (0.1, REAL32),
    "FOLL_ACCEL_H": (2.5, REAL32),
    "MNT1_TYPE": (1, INT8),
    "MNT1_DEFLT_MODE": (3, INT8),
    "MNT1_PITCH_MIN": (-90.0, REAL32),
    "MNT1_PITCH_MAX": (20.0, REAL32),
    "MNT1_YAW_MIN": (-180.0, REAL32),
    "MNT1_YAW_MAX": (180.0, REAL32),
    "SR0_RAW_SENS": (0, INT16),
    "SR0_EXT_STAT": (0, INT16),
    "SR0_RC_CHAN": (0, INT16),
    "SR0_RAW_CTRL": (0, INT16),
    "SR0_POSITION": (0, INT16),
    "SR0_EXTRA1": (0, INT16),
    "SR0_EXTRA2": (0, INT16),
    "SR0_EXTRA3": (0, INT16),
    "SR0_PARAMS": (0, INT16),
    "SR0_ADSB": (0, INT16),
    "SIM_SPEEDUP": (1.0, REAL32),
    "SIM_WIND_SPD": (0.0, REAL32),
    "SIM_WIND_DIR": (180.0, REAL32),
    "SIM_WIND_TURB": (0.0, REAL32),
    "SIM_BATT_VOLTAGE": (12.6, REAL32),
    "SIM_BATT_SWAP_S": (0.0, REAL32),
}

#: 4.5 name → 4.7 name, for the parameters ArduCopter 4.7 renamed.
_RENAMED_47: dict[str, str] = {
    "SYSID_THISMAV": "MAV_SYSID",
    "SYSID_MYGCS": "MAV_GCS_SYSID",
}


@dataclass
class _Param:
    value: float
    type: int


class Parameters:
    """Named values with MAVLink types; read by canonical (4.5) name in code.

    Code inside the simulator always uses the 4.5 names (``params["SYSID_THISMAV"]``);
    the wire names (``wire_name``/``lookup``) follow ``naming``.
    """

    def __init__(
        self, naming: ParamNaming = "4.5", overrides: dict[str, float] | None = None
    ) -> None:
        if naming not in ("4.5", "4.7"):
            raise SimulatorError(f"parameter naming must be '4.5' or '4.7', got {naming!r}")
        self.naming: ParamNaming = naming
        self._table = {name: _Param(float(v), t) for name, (v, t) in _DEFAULTS.items()}
        to_wire = _RENAMED_47 if naming == "4.7" else {}
        self._wire = {name: to_wire.get(name, name) for name in self._table}
        self._canonical = {wire: name for name, wire in self._wire.items()}
        self._order = sorted(self._canonical)
        self.version = 0
        for name, value in (overrides or {}).items():
            canonical = self._canonical.get(name, name)
            if canonical not in self._table:
                raise SimulatorError(f"unknown parameter {name!r} in parameter overrides")
            self.set(canonical, value)

    def __getitem__(self, name: str) -> float:
        return self._table[name].value

    def __len__(self) -> int:
        return len(self._table)

    def set(self, name: str, value: float) -> float:
        """Set a parameter by canonical name (integers are rounded); returns the stored value."""
        param = self._table[name]
        param.value = float(round(value)) if param.type != REAL32 else float(value)
        self.version += 1
        return param.value

    def lookup(self, wire_name: str) -> str | None:
        """Canonical name of a parameter by its name on the wire, or None if unknown."""
        return self._canonical.get(wire_name)

    def wire_name(self, name: str) -> str:
        return self._wire[name]

    def type_of(self, name: str) -> int:
        return self._table[name].type

    def index_of(self, name: str) -> int:
        return self._order.index(self._wire[name])

    def by_index(self, index: int) -> str | None:
        """Canonical name of the parameter at ``index`` (wire order), or None."""
        if 0 <= index < len(self._order):
            return self._canonical[self._order[index]]
        return None

    def __iter__(self) -> Iterator[str]:
        """Canonical names in wire order."""
        return (self._canonical[w] for w in self._order)
