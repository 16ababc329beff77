"""How one simulated vehicle starts: home, start-up delays, parameters, wind, battery."""

from __future__ import annotations

from dataclasses import dataclass, field

from overwatch.errors import SimulatorError
from simulator.parameters import ParamNaming


@dataclass(frozen=True)
class VehicleConfig:
    """How one simulated vehicle starts.

    Home is WGS84 degrees and metres above mean sea level; delays are
    simulated seconds after boot; ``params`` overrides parameter defaults by
    wire name; wind is a mean speed (m/s) from a compass direction plus gusts
    (standard deviation, m/s), seeded by ``seed``.
    """

    home_lat_deg: float
    home_lon_deg: float
    home_alt_msl_m: float = 0.0
    home_heading_deg: float = 0.0
    sysid: int = 1
    gps_fix_delay_s: float = 10.0
    ekf_gps_delay_s: float = 40.0
    param_naming: ParamNaming = "4.5"
    params: dict[str, float] = field(default_factory=dict)
    wind_speed_m_s: float = 0.0
    wind_from_deg: float = 180.0
    gust_m_s: float = 0.0
    seed: int = 0
    battery_soc: float = 1.0
    hover_current_a: float = 16.0
    start_unix_s: float | None = None

    def __post_init__(self) -> None:
        if not -90.0 <= self.home_lat_deg <= 90.0:
            raise SimulatorError(f"home latitude must be in [-90, 90], got {self.home_lat_deg}")
        if not -180.0 <= self.home_lon_deg <= 180.0:
            raise SimulatorError(f"home longitude must be in [-180, 180], got {self.home_lon_deg}")
        if not 1 <= self.sysid <= 254:
            raise SimulatorError(f"system id must be in 1..254, got {self.sysid}")
