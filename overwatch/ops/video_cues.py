"""Camera sightings into the cue book: the video pipeline's first and last steps that
need no thread, the telemetry pose a frame is placed from and the sightings it gives.

:func:`pose_of_state` is the camera's pose as telemetry has it now (the pipeline keeps a
short history of them to look up each frame's pose at capture).

:class:`SightingReporter` takes each geolocated detection of a frame and
decides what it is: the patrol itself (near where the tracker has it: not a
threat), an object reported moments ago (throttled: the detector sees it in
every frame), or a sighting for the cue book. A sighting that starts a new cue
has its frame saved, with the detection boxed, as ``snapshots/<cue>.jpg``.
:class:`VideoCounters` counts each outcome.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, replace
from pathlib import Path

from overwatch.camera import Sighting as VideoSighting
from overwatch.cues import CueBook
from overwatch.cues import Sighting as CueSighting
from overwatch.cues.fusion import approx_distance_m, match
from overwatch.cues.model import CueKind, CueSource
from overwatch.errors import OverwatchError
from overwatch.link.state import VehicleState
from overwatch.ops.inputs import NoteFn
from overwatch.tracking import PatrolTracker
from overwatch.video import CameraPose, FrameResult, save_snapshot


def pose_of_state(state: VehicleState, time_s: float) -> CameraPose | None:
    """The camera pose telemetry gives now, stamped ``time_s``; None while anything is unknown."""
    values = (
        state.lat_deg,
        state.lon_deg,
        state.alt_msl_m,
        state.alt_rel_m,
        state.roll_deg,
        state.pitch_deg,
        state.yaw_deg,
        state.gimbal_pitch_deg,
    )
    if any(v is None for v in values) or not state.has_position:
        return None
    assert state.lat_deg is not None and state.lon_deg is not None
    assert state.alt_msl_m is not None and state.alt_rel_m is not None
    assert state.roll_deg is not None and state.pitch_deg is not None
    assert state.yaw_deg is not None and state.gimbal_pitch_deg is not None
    return CameraPose(
        lat_deg=state.lat_deg,
        lon_deg=state.lon_deg,
        alt_msl_m=state.alt_msl_m,
        alt_rel_m=state.alt_rel_m,
        roll_deg=state.roll_deg,
        pitch_deg=state.pitch_deg,
        yaw_deg=state.yaw_deg % 360.0,
        gimbal_pitch_deg=state.gimbal_pitch_deg,
        gimbal_yaw_deg=state.gimbal_yaw_deg or 0.0,
        time_s=time_s,
    )


#: sightings this close to the patrol's own position (m) are the patrol, not a threat
OWN_FORCES_RADIUS_M = 30.0


@dataclass
class VideoCounters:
    """What the pipeline did since it started.

    ``without_pose``: frames captured when no telemetry pose was known;
    ``unplaced``: detections not put on the ground (no pose, or above the
    horizon); ``own_forces``: sightings of the patrol itself; ``throttled``:
    sightings of an object reported less than ``min_report_s`` before;
    ``stamped_times`` / ``estimated_times``: capture times taken from the
    frame's stamp / estimated from latency.
    """

    frames_detected: int = 0
    detections: int = 0
    sightings: int = 0
    without_pose: int = 0
    unplaced: int = 0
    own_forces: int = 0
    throttled: int = 0
    reported: int = 0
    new_cues: int = 0
    snapshots: int = 0
    stamped_times: int = 0
    estimated_times: int = 0


class SightingReporter:
    """Camera sightings into ``cues`` (see the module docstring). ``min_report_s`` is the
    shortest session time between two reports of one object; ``snapshot_dir`` (None: no
    snapshots) receives the frames of new cues."""

    def __init__(
        self,
        cues: CueBook,
        tracker: PatrolTracker,
        note: NoteFn,
        counters: VideoCounters,
        *,
        min_report_s: float,
        snapshot_dir: Path | None,
    ) -> None:
        self.cues = cues
        self.tracker = tracker
        self.note = note
        self.counters = counters
        self.min_report_s = min_report_s
        self.snapshot_dir = snapshot_dir
        self._recent: deque[tuple[str, float, float, float]] = deque(maxlen=200)

    def report(self, result: FrameResult, i: int, s: VideoSighting, capture_s: float) -> None:
        """Detection ``i`` of ``result``, captured at ``capture_s`` (session time)."""
        c = self.counters
        if self.is_patrol(s.lat_deg, s.lon_deg, s.sigma_m, capture_s):
            c.own_forces += 1
            return
        if self._recently_reported(s, capture_s):
            c.throttled += 1
            return
        self._recent.append((s.kind, s.lat_deg, s.lon_deg, capture_s))
        cues = self.cues
        sighting = CueSighting(
            kind=CueKind(s.kind),
            lat_deg=s.lat_deg,
            lon_deg=s.lon_deg,
            sigma_m=max(1.0, s.sigma_m),
            time_s=capture_s,
            confidence=min(1.0, max(0.0, s.confidence)),
            source=CueSource.CAMERA,
        )
        is_new = match(cues.cues(), sighting, cues.fusion) is None
        if is_new:
            # a reference (unique: capture time and detection) lets the snapshot be
            # attached below without counting the sighting twice
            sighting = replace(sighting, ref=f"camera-{capture_s:.3f}-{i}")
        cue = cues.add_sighting(sighting)
        c.reported += 1
        if not is_new:
            return
        c.new_cues += 1
        path = self._snapshot(result, s, cue.id)
        if path is not None:
            cues.add_sighting(replace(sighting, snapshot_path=str(path)))
        self.note(
            "warning",
            f"new cue {cue.id}: {cue.kind} (camera, {cue.confidence:.0%}, "
            f"{s.slant_range_m:.0f} m away)",
        )

    def is_patrol(self, lat_deg: float, lon_deg: float, sigma_m: float, time_s: float) -> bool:
        """Whether a sighting (WGS84 degrees, metres, session time) is the patrol itself.

        True within ``max(OWN_FORCES_RADIUS_M, 3 sigma)`` of where the patrol
        tracker puts the patrol at ``time_s``; False while the patrol is unknown.
        """
        if self.tracker.prediction() is None:
            return False
        est = self.tracker.estimate(time_s)
        if est.lat_deg is None or est.lon_deg is None:
            return False
        distance = approx_distance_m(est.lat_deg, est.lon_deg, lat_deg, lon_deg)
        return distance < max(OWN_FORCES_RADIUS_M, 3.0 * sigma_m)

    def _recently_reported(self, s: VideoSighting, capture_s: float) -> bool:
        gate = self.cues.fusion.gate_m
        for kind, lat, lon, t in reversed(self._recent):
            if capture_s - t >= self.min_report_s:
                break
            if kind == s.kind and approx_distance_m(lat, lon, s.lat_deg, s.lon_deg) < gate:
                return True
        return False

    def _snapshot(self, result: FrameResult, s: VideoSighting, cue_id: str) -> Path | None:
        """Save the frame with the detection boxed as ``snapshots/<cue>.jpg``."""
        if self.snapshot_dir is None or result.frame is None:
            return None
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        path = self.snapshot_dir / f"{cue_id}.jpg"
        try:
            save_snapshot(result.frame, path, box=s.detection.box)
        except OverwatchError as exc:
            self.note("warning", f"snapshot for {cue_id} not saved: {exc}")
            return None
        self.counters.snapshots += 1
        return path


__all__ = ["OWN_FORCES_RADIUS_M", "SightingReporter", "VideoCounters"]
