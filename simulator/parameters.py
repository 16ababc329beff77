"""The vehicle's parameter table, with ArduCopter names, units and types.

ArduPilot keeps several parameters in centimetres (``WPNAV_SPEED`` cm/s,
``RTL_ALT`` cm); this table keeps ArduPilot's units so a client that reads
or writes them sees what a real vehicle shows. ``naming="4.7"`` renames the
system-id parameters the way ArduCopter 4.7 does (``MAV_SYSID`` instead of
``SYSID_THISMAV``, ``MAV_GCS_SYSID`` instead of ``SYSID_MYGCS``); ``naming="4.8"``
adds ArduCopter 4.8's renames, which moved centimetres to metres (``WP_SPD`` m/s for
``WPNAV_SPEED`` cm/s, ``RTL_ALT_M``, ``LAND_SPD_MS`` …), the stream rates
(``MAV1_*`` for ``SR0_*``) and ``ARMING_SKIPCHK`` for ``ARMING_CHECK``. Inside, the
simulator reads the 4.5 names and units; the wire (``wire_value``/``set_wire``)
shows the naming's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from overwatch.errors import SimulatorError
from overwatch.param_names import RENAMED

# MAV_PARAM_TYPE values
INT8 = 2
INT16 = 4
INT32 = 6
REAL32 = 9

ParamNaming = Literal["4.5", "4.7", "4.8"]

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
    "FOLL_ACCEL_NE": (2.5, REAL32),
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

#: 4.5 name → 4.7 name, for the parameters ArduCopter 4.7 renamed (units unchanged:
#: SYSID_THISMAV is MAV_SYSID, SYSID_MYGCS is MAV_GCS_SYSID).
_RENAMED_47: dict[str, str] = {
    old: new
    for (old, old_units), (new, new_units) in RENAMED
    if old_units == new_units and old in _DEFAULTS
}


#: 4.5 name → (4.8 name, wire units per simulator unit, 4.8 MAV_PARAM_TYPE), for what
#: ArduCopter 4.8 renamed and moved from centimetres to metres (read off SITL 64a9c787's
#: parameter list). The simulator keeps the 4.5 name and unit inside. The renames and
#: their units are the ground station's own table (``overwatch.param_names.RENAMED``).
_RENAMED_48: dict[str, tuple[str, float, int]] = {
    **{
        old: (new, new_units / old_units, REAL32)
        for (old, old_units), (new, new_units) in RENAMED
        if old_units != new_units and old in _DEFAULTS
    },
    "MNT1_PITCH_MIN": ("MNT1_PITCH_MIN", 1.0, INT16),
    "MNT1_PITCH_MAX": ("MNT1_PITCH_MAX", 1.0, INT16),
    "MNT1_YAW_MIN": ("MNT1_YAW_MIN", 1.0, INT16),
    "MNT1_YAW_MAX": ("MNT1_YAW_MAX", 1.0, INT16),
    **{
        f"SR0_{group}": (f"MAV1_{group}", 1.0, INT16)
        for group in (
            "RAW_SENS",
            "EXT_STAT",
            "RC_CHAN",
            "RAW_CTRL",
            "POSITION",
            "EXTRA1",
            "EXTRA2",
            "EXTRA3",
            "PARAMS",
            "ADSB",
        )
    },
}
#: 4.8 replaced ARMING_CHECK (checks to run, 1 = all) by ARMING_SKIPCHK (checks to skip,
#: 0 = none); the simulator models "all" or "none", so any skipped check skips them all.
_SKIPCHK = "ARMING_SKIPCHK"
#: 4.8 defaults that differ from 4.5's (SITL 64a9c787 with ArduPilot's copter.parm).
_DEFAULTS_48: dict[str, float] = {
    "FENCE_RADIUS": 150.0,
    "FS_OPTIONS": 16.0,
    "FOLL_ACCEL_H": 90.0,
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
        if naming not in ("4.5", "4.7", "4.8"):
            raise SimulatorError(f"parameter naming must be '4.5', '4.7' or '4.8', got {naming!r}")
        self.naming: ParamNaming = naming
        self._table = {name: _Param(float(v), t) for name, (v, t) in _DEFAULTS.items()}
        to_wire = dict(_RENAMED_47) if naming in ("4.7", "4.8") else {}
        #: canonical name → (wire units per simulator unit, wire type) where they differ
        self._scale: dict[str, tuple[float, int]] = {}
        if naming == "4.8":
            for name, (wire, scale, kind) in _RENAMED_48.items():
                to_wire[name] = wire
                self._scale[name] = (scale, kind)
            to_wire["ARMING_CHECK"] = _SKIPCHK
            self._scale["ARMING_CHECK"] = (1.0, INT32)
            for name, value in _DEFAULTS_48.items():
                self._table[name].value = value
        self._wire = {name: to_wire.get(name, name) for name in self._table}
        self._canonical = {wire: name for name, wire in self._wire.items()}
        self._order = sorted(self._canonical)
        self.version = 0
        for name, value in (overrides or {}).items():
            canonical = self._canonical.get(name)
            if canonical is None and name in self._table and name not in _RENAMED_48:
                canonical = name  # a 4.5 name the wire renamed only in 4.7
            if canonical is None:
                raise SimulatorError(f"unknown parameter {name!r} in parameter overrides")
            if canonical == self._canonical.get(name):
                self.set_wire(canonical, value)
            else:
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

    def wire_value(self, name: str) -> float:
        """The value of canonical ``name`` in the units its wire name carries."""
        value = self._table[name].value
        if name == "ARMING_CHECK" and self.naming == "4.8":
            return 0.0 if value else -1.0
        scale, _ = self._scale.get(name, (1.0, 0))
        return value * scale

    def set_wire(self, name: str, value: float) -> float:
        """Set canonical ``name`` from a value in its wire units; returns the wire value."""
        if name == "ARMING_CHECK" and self.naming == "4.8":
            self.set(name, 1.0 if round(value) == 0 else 0.0)
            return self.wire_value(name)
        scale, kind = self._scale.get(name, (1.0, self._table[name].type))
        if kind != REAL32:
            value = float(round(value))
        self.set(name, value / scale)
        return self.wire_value(name)

    def wire_type(self, name: str) -> int:
        return self._scale.get(name, (1.0, self._table[name].type))[1]

    def lookup(self, wire_name: str) -> str | None:
        """Canonical name of a parameter by its name on the wire, or None if unknown."""
        return self._canonical.get(wire_name)

    def wire_name(self, name: str) -> str:
        return self._wire[name]

    def wire_names(self) -> list[str]:
        """Every parameter's name on the wire, in wire (index) order."""
        return list(self._order)

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
