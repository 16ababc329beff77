"""Kinematic multicopter and wind: plain floats, cheap enough for 200× real time.

Frame: ``x_m`` east, ``y_m`` north, ``z_m`` up from home; velocities in m/s
in the same axes. The vehicle tracks a commanded velocity with limited
acceleration (what ArduCopter's position controller achieves, without
modelling rotors); gusts push it off, and its position controller (in
:mod:`simulator.navigation`) pulls it back. Roll and pitch are derived from
the acceleration and the drag the vehicle leans against.
"""

from __future__ import annotations

import math
import random

from simulator.geodesy import wrap_180

GRAVITY_M_S2 = 9.80665
#: Drag per unit airspeed squared, m/s² per (m/s)² — about 11° of lean at 10 m/s.
DRAG_PER_V2 = 0.02
#: Velocity tracking time constant, seconds.
VELOCITY_TAU_S = 0.4
#: How strongly a gust (m/s) pushes the vehicle, 1/s.
GUST_COUPLING_PER_S = 0.6
#: Yaw slew limit, degrees per second.
YAW_RATE_DEG_S = 60.0


class Wind:
    """A constant wind plus seeded gusts (an Ornstein-Uhlenbeck process per axis).

    ``speed_m_s`` and ``from_deg`` (the direction the wind blows *from*,
    compass degrees) set the mean; ``gust_m_s`` is the gusts' standard
    deviation, ``gust_tau_s`` their correlation time.
    """

    __slots__ = ("_rng", "from_deg", "gust_e", "gust_m_s", "gust_n", "gust_tau_s", "speed_m_s")

    def __init__(
        self,
        speed_m_s: float = 0.0,
        from_deg: float = 180.0,
        gust_m_s: float = 0.0,
        gust_tau_s: float = 3.0,
        seed: int = 0,
    ) -> None:
        self.speed_m_s = speed_m_s
        self.from_deg = from_deg
        self.gust_m_s = gust_m_s
        self.gust_tau_s = gust_tau_s
        self.gust_e = 0.0
        self.gust_n = 0.0
        self._rng = random.Random(seed)

    def mean_en(self) -> tuple[float, float]:
        """Mean wind velocity (east, north) in m/s: it blows *towards* from_deg + 180."""
        to_rad = math.radians(self.from_deg + 180.0)
        return self.speed_m_s * math.sin(to_rad), self.speed_m_s * math.cos(to_rad)

    def step(self, dt_s: float) -> None:
        """Advance the gusts by ``dt_s`` seconds."""
        if self.gust_m_s <= 0.0:
            self.gust_e = self.gust_n = 0.0
            return
        decay = dt_s / self.gust_tau_s
        kick = self.gust_m_s * math.sqrt(2.0 * decay)
        gauss = self._rng.gauss
        self.gust_e += -self.gust_e * decay + kick * gauss(0.0, 1.0)
        self.gust_n += -self.gust_n * decay + kick * gauss(0.0, 1.0)


class Body:
    """The airframe's state and its response to a velocity command."""

    __slots__ = (
        "on_ground",
        "pitch_deg",
        "roll_deg",
        "vx_m_s",
        "vy_m_s",
        "vz_m_s",
        "x_m",
        "y_m",
        "yaw_deg",
        "yaw_rate_deg_s",
        "z_m",
    )

    def __init__(self, yaw_deg: float = 0.0) -> None:
        self.x_m = 0.0
        self.y_m = 0.0
        self.z_m = 0.0
        self.vx_m_s = 0.0
        self.vy_m_s = 0.0
        self.vz_m_s = 0.0
        self.yaw_deg = yaw_deg % 360.0
        self.yaw_rate_deg_s = 0.0
        self.roll_deg = 0.0
        self.pitch_deg = 0.0
        self.on_ground = True

    def step(
        self,
        dt_s: float,
        vx_cmd: float,
        vy_cmd: float,
        vz_cmd: float,
        yaw_cmd_deg: float | None,
        accel_h_m_s2: float,
        accel_v_m_s2: float,
        wind: Wind,
        motors_on: bool,
    ) -> None:
        """Advance ``dt_s`` seconds tracking the commanded velocity (m/s)."""
        if not motors_on or (self.on_ground and vz_cmd <= 0.0):
            self._rest_on_ground(dt_s, motors_on)
            return
        self.on_ground = False
        # horizontal: first-order tracking, acceleration-limited, plus gusts
        ax = (vx_cmd - self.vx_m_s) / VELOCITY_TAU_S
        ay = (vy_cmd - self.vy_m_s) / VELOCITY_TAU_S
        a = math.hypot(ax, ay)
        if a > accel_h_m_s2:
            scale = accel_h_m_s2 / a
            ax *= scale
            ay *= scale
        self.vx_m_s += (ax + GUST_COUPLING_PER_S * wind.gust_e) * dt_s
        self.vy_m_s += (ay + GUST_COUPLING_PER_S * wind.gust_n) * dt_s
        az = (vz_cmd - self.vz_m_s) / VELOCITY_TAU_S
        if az > accel_v_m_s2:
            az = accel_v_m_s2
        elif az < -accel_v_m_s2:
            az = -accel_v_m_s2
        self.vz_m_s += az * dt_s
        self.x_m += self.vx_m_s * dt_s
        self.y_m += self.vy_m_s * dt_s
        self.z_m += self.vz_m_s * dt_s
        if self.z_m <= 0.0 and self.vz_m_s <= 0.0:
            self.z_m = 0.0
            self.vz_m_s = 0.0
            self.on_ground = True
        self._attitude(ax, ay, wind)
        self._yaw(dt_s, yaw_cmd_deg)

    def _rest_on_ground(self, dt_s: float, motors_on: bool) -> None:
        if self.z_m > 0.0 and not motors_on:
            # motors stopped in the air: fall (the simulator does not crash-model)
            self.vz_m_s = max(self.vz_m_s - GRAVITY_M_S2 * dt_s, -15.0)
            self.z_m = max(0.0, self.z_m + self.vz_m_s * dt_s)
            if self.z_m > 0.0:
                return
        self.on_ground = True
        self.z_m = 0.0
        self.vx_m_s = self.vy_m_s = self.vz_m_s = 0.0
        self.roll_deg = self.pitch_deg = 0.0
        self.yaw_rate_deg_s = 0.0

    def _attitude(self, ax: float, ay: float, wind: Wind) -> None:
        we, wn = wind.mean_en()
        air_e = self.vx_m_s - we - wind.gust_e
        air_n = self.vy_m_s - wn - wind.gust_n
        air = math.hypot(air_e, air_n)
        fx = ax + DRAG_PER_V2 * air * air_e
        fy = ay + DRAG_PER_V2 * air * air_n
        yaw = math.radians(self.yaw_deg)
        s, c = math.sin(yaw), math.cos(yaw)
        forward = fy * c + fx * s
        right = -fy * s + fx * c
        self.pitch_deg = -math.degrees(math.atan2(forward, GRAVITY_M_S2))
        self.roll_deg = math.degrees(math.atan2(right, GRAVITY_M_S2))

    def _yaw(self, dt_s: float, yaw_cmd_deg: float | None) -> None:
        if yaw_cmd_deg is None:
            self.yaw_rate_deg_s = 0.0
            return
        err = wrap_180(yaw_cmd_deg - self.yaw_deg)
        limit = YAW_RATE_DEG_S * dt_s
        turn = max(-limit, min(limit, err))
        self.yaw_deg = (self.yaw_deg + turn) % 360.0
        self.yaw_rate_deg_s = turn / dt_s

    def airspeed_m_s(self, wind: Wind) -> float:
        we, wn = wind.mean_en()
        return math.hypot(self.vx_m_s - we - wind.gust_e, self.vy_m_s - wn - wind.gust_n)

    def groundspeed_m_s(self) -> float:
        return math.hypot(self.vx_m_s, self.vy_m_s)
