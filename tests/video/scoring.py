"""Score detections and sightings against the camera's ground truth."""

from __future__ import annotations

from dataclasses import dataclass, field

from overwatch.camera import Box, Detection, Sighting
from overwatch.geo import geodesic_distance_m
from simulator.camera.render import ActorTruth

MIN_SIZE_PX = 12.0


def _matches(det: Box, truth: Box) -> bool:
    cx, cy = det.centre
    grow = 3.0
    inside = truth.x0 - grow <= cx <= truth.x1 + grow and truth.y0 - grow <= cy <= truth.y1 + grow
    return inside or det.iou(truth) > 0.2


@dataclass
class Score:
    """Running totals: recall over actors ≥ 12×12 px, false positives, geolocation errors."""

    big_actors: int = 0
    big_found: int = 0
    false_positives: int = 0
    frames: int = 0
    relative_errors: list[float] = field(default_factory=list)
    fp_examples: list[Box] = field(default_factory=list)

    def add(
        self,
        truths: tuple[ActorTruth, ...] | list[ActorTruth],
        detections: tuple[Detection, ...] | list[Detection],
        sightings: tuple[Sighting, ...] | list[Sighting] = (),
    ) -> None:
        self.frames += 1
        for truth in truths:
            big = (
                truth.fully_visible
                and truth.box.width >= MIN_SIZE_PX
                and truth.box.height >= MIN_SIZE_PX
            )
            if big:
                self.big_actors += 1
                if any(_matches(d.box, truth.box) for d in detections):
                    self.big_found += 1
        for det in detections:
            if not any(_matches(det.box, t.box) for t in truths):
                self.false_positives += 1
                self.fp_examples.append(det.box)
        for s in sightings:
            owners = [t for t in truths if _matches(s.detection.box, t.box)]
            if len(owners) == 1:
                t = owners[0]
                err = geodesic_distance_m(s.lat_deg, s.lon_deg, t.lat_deg, t.lon_deg)
                self.relative_errors.append(err / t.slant_range_m)

    @property
    def recall(self) -> float:
        return self.big_found / self.big_actors if self.big_actors else 0.0
