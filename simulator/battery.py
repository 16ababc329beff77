"""A battery whose drain depends on how the vehicle flies.

Current (A) is a hover figure scaled by airspeed (the parasitic drag
grows with its square, translational lift saves a little at moderate
speed) plus a climb term; the voltage follows the state of charge per cell
and sags with current through an internal resistance. Defaults describe the
3S 3.3 Ah pack ArduCopter SITL simulates (12.6 V full).
:meth:`Battery.replace_pack` is a ground crew's swap for a full pack.
"""

from __future__ import annotations


class Battery:
    """State of a LiPo pack: ``voltage_v``, ``current_a``, ``consumed_mah``."""

    __slots__ = (
        "capacity_mah",
        "cells",
        "consumed_mah",
        "current_a",
        "hover_current_a",
        "internal_ohm",
        "voltage_v",
    )

    def __init__(
        self,
        capacity_mah: float = 3300.0,
        cells: int = 3,
        hover_current_a: float = 16.0,
        internal_ohm: float = 0.02,
        initial_soc: float = 1.0,
    ) -> None:
        self.capacity_mah = capacity_mah
        self.cells = cells
        self.hover_current_a = hover_current_a
        self.internal_ohm = internal_ohm
        self.consumed_mah = capacity_mah * (1.0 - initial_soc)
        self.current_a = 0.0
        self.voltage_v = self._open_circuit_v()

    @property
    def remaining_fraction(self) -> float:
        """State of charge in [0, 1]."""
        return max(0.0, 1.0 - self.consumed_mah / self.capacity_mah)

    def _open_circuit_v(self) -> float:
        soc = self.remaining_fraction
        cell = 3.6 + 0.6 * soc if soc > 0.05 else 3.0 + 12.6 * soc
        return cell * self.cells

    def draw(self, airspeed_m_s: float, climb_m_s: float, flying: bool, armed: bool) -> float:
        """Current in A for the given flight condition."""
        if not armed:
            return 0.3
        if not flying:
            return 2.0
        v = min(airspeed_m_s, 8.0)
        speed_factor = 1.0 - 0.08 * (v / 8.0) + 0.0025 * airspeed_m_s * airspeed_m_s
        climb_a = 1.5 * climb_m_s if climb_m_s > 0.0 else 0.3 * climb_m_s
        return max(1.0, self.hover_current_a * speed_factor + climb_a)

    def replace_pack(self) -> None:
        """A fresh, fully charged pack of the same kind goes in (a ground crew's swap)."""
        self.consumed_mah = 0.0
        self.current_a = 0.0
        self.voltage_v = self._open_circuit_v()

    def step(self, dt_s: float, current_a: float) -> None:
        """Drain ``current_a`` amperes for ``dt_s`` seconds."""
        self.current_a = current_a
        self.consumed_mah += current_a * dt_s / 3.6
        self.voltage_v = max(0.0, self._open_circuit_v() - current_a * self.internal_ohm)
