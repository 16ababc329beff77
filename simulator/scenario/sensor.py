"""The stand-in detector: threats inside the camera footprint may be seen.

It looks only inside the footprint the vehicle's real pose and gimbal give,
so it can never leak ground truth from outside the camera's view.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from overwatch.geo.camera import footprint_corners, points_in_quads
from simulator.scenario.actors import World


@dataclass(frozen=True)
class SimSighting:
    """A detection as the drone's detector would report it (local metres)."""

    t_s: float
    kind: str
    x_m: float
    y_m: float
    sigma_m: float
    confidence: float
    truth_id: str  # for scoring only; never sent on the wire


@dataclass(frozen=True)
class CameraPose:
    """Camera position (local metres, height above ground) and pointing."""

    x_m: float
    y_m: float
    height_m: float
    yaw_deg: float
    pitch_deg: float
    hfov_deg: float
    vfov_deg: float


def look(world: World, t_s: float, pose: CameraPose, rng: random.Random) -> list[SimSighting]:
    """One look of the sensor at time ``t_s`` from ``pose``."""
    model = world.scenario.sensor
    quad = footprint_corners(
        pose.x_m,
        pose.y_m,
        pose.height_m,
        pose.yaw_deg,
        pose.pitch_deg,
        pose.hfov_deg,
        pose.vfov_deg,
        max_range_m=model.max_slant_range_m,
    )
    seen: list[SimSighting] = []
    for threat in world.threats:
        xy = threat.xy_at(t_s)
        if xy is None:
            continue
        if not points_in_quads(quad[None], np.array([xy]))[0]:
            continue
        slant = math.sqrt((xy[0] - pose.x_m) ** 2 + (xy[1] - pose.y_m) ** 2 + pose.height_m**2)
        if slant > model.max_slant_range_m:
            continue
        # smaller and farther things are harder to see
        p = model.detection_probability * min(1.0, 2.0 * threat.threat.size_m * 100.0 / slant)
        if rng.random() >= p:
            continue
        sigma = model.position_sigma_m * max(1.0, slant / 150.0)
        seen.append(
            SimSighting(
                t_s=t_s,
                kind=threat.threat.kind,
                x_m=xy[0] + rng.gauss(0.0, sigma),
                y_m=xy[1] + rng.gauss(0.0, sigma),
                sigma_m=sigma,
                confidence=round(min(0.99, 0.5 + 0.5 * p), 3),
                truth_id=threat.threat.threat_id,
            )
        )
    return seen
