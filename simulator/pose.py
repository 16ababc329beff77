"""The pose the synthetic camera reads in-process."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VehiclePose:
    """Where the vehicle and its camera point, at simulated time ``time_s``.

    WGS84 degrees; altitudes in metres above mean sea level (``alt_msl_m``)
    and above home (``alt_rel_m``); attitude in degrees (yaw clockwise from
    true north); gimbal pitch negative looking down and gimbal yaw relative
    to the vehicle's nose.
    """

    lat_deg: float
    lon_deg: float
    alt_msl_m: float
    alt_rel_m: float
    roll_deg: float
    pitch_deg: float
    yaw_deg: float
    gimbal_pitch_deg: float
    gimbal_yaw_deg: float
    time_s: float
