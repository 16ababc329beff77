"""Rebuild what the screen showed from a recorded flight: tlog (+ cues, + video) → snapshots.

The tlog is decoded through the same decoder and vehicle state the live link
uses, and a :class:`~overwatch.ops.state.SessionSnapshot` is taken every
``step_s`` seconds of recorded time. Cues come from a cue store
(``cues.sqlite``) and appear when first seen — when their clock and the
tlog's agree (a field recording); a training run at a speed-up keeps cue
times on the simulated clock, so its cues are shown from the start.
Recorded video segments give the video panel its frames.

Every vehicle heard in the tlog is a drone of the snapshots (``drones``), in the
mission's order, named as the mission names its sysid (``vehicle N`` for one it does
not list), each with its own trail and footprint; a team's events say which drone
they come from. Who was on duty is not recorded: ``duty`` stays None, and
``drone`` is the first drone up (the first of all while none is).
"""

from __future__ import annotations

from collections import deque
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from overwatch.errors import OverwatchError
from overwatch.link import events as ev
from overwatch.link.decode import Decoder, to_event
from overwatch.link.state import VehicleState
from overwatch.link.tlog import read_tlog
from overwatch.mission import MissionGeometry
from overwatch.ops.state import CueView, EventLine, SessionSnapshot
from overwatch.ops.views import cue_view, drone_view


def snapshots_from_tlog(
    tlog: Path,
    geometry: MissionGeometry,
    *,
    cues_path: Path | None = None,
    video_dir: Path | None = None,
    step_s: float = 0.5,
    trail_points: int = 300,
) -> list[SessionSnapshot]:
    """Snapshots of a recorded flight, ``step_s`` apart in the tlog's time."""
    try:
        records = list(read_tlog(tlog))
    except OSError as exc:
        raise OverwatchError(f"{tlog}: cannot read the tlog: {exc.strerror or exc}") from None
    if not records:
        raise OverwatchError(f"{tlog}: no MAVLink packets in this file (is it a .tlog?)")
    decoder = Decoder()
    team = _Team(geometry)
    states: dict[int, VehicleState] = {}
    vehicle_ids: set[int] = set()
    events: deque[EventLine] = deque(maxlen=200)
    trails: dict[int, deque[tuple[float, float]]] = {}
    cues = _cue_views(cues_path, records[0][0], records[-1][0])
    frames = _video_frames(video_dir) if video_dir is not None else []
    snapshots: list[SessionSnapshot] = []
    next_t = records[0][0]
    last_modes: dict[int, str] = {}
    for unix_s, packet in records:
        for message in decoder.feed(packet):
            event = to_event(message)
            if event is None:
                continue
            state = states.setdefault(event.sysid, VehicleState(event.sysid))
            state.apply(event, unix_s)
            # a vehicle's heartbeat (not a ground station's, a gimbal's or a camera's)
            if isinstance(event, ev.Heartbeat) and state.heartbeat_seen and state.mode:
                vehicle_ids.add(event.sysid)
                last_mode = last_modes.get(event.sysid)
                if state.mode != last_mode and last_mode is not None:
                    who = team.prefix(event.sysid, vehicle_ids, "")
                    line = f"{who}mode {last_mode} → {state.mode}"
                    events.append(EventLine(unix_s, "info", line))
                last_modes[event.sysid] = state.mode
            if isinstance(event, ev.StatusText):
                who = team.prefix(event.sysid, vehicle_ids, "vehicle: ")
                events.append(EventLine(unix_s, "info", f"{who}{event.text}"))
        if unix_s < next_t or not vehicle_ids:
            continue
        next_t = unix_s + step_s
        drones = []
        for sysid in team.order(vehicle_ids):
            trail = trails.setdefault(sysid, deque(maxlen=trail_points))
            drone = drone_view(
                states[sysid],
                team.geometry(sysid),
                now_s=unix_s,
                guidance_state="REPLAY",
                trail=trail,
                link_lost=False,
                name=team.name(sysid),
            )
            if drone.position is not None:
                trail.append(drone.position)
                drone = replace(drone, trail=tuple(trail))
            drones.append(drone)
        # who was on duty is not in the tlog: the drone shown first is the first one up
        up = [d for d in drones if d.airborne]
        shown = tuple(
            replace(c, age_s=max(0.0, unix_s - first)) for first, c in cues if first <= unix_s
        )
        snapshots.append(
            SessionSnapshot(
                time_s=unix_s,
                drone=up[0] if up else drones[0],
                drones=tuple(drones),
                cues=shown,
                events=tuple(events),
                strategy="replay",
                video_frame=_frame_at(frames, unix_s, records[0][0]),
                video_status="recorded video" if frames else "no video",
            )
        )
    return snapshots


class _Team:
    """The mission's drones by sysid: their names, their views of the mission, their order.

    Vehicles the mission does not list are ``vehicle N``, after its own, by sysid."""

    def __init__(self, geometry: MissionGeometry) -> None:
        drones = geometry.mission.drones
        self._geometry = geometry
        self._index = {d.vehicle.sysid: i for i, d in enumerate(drones)}
        self._names = {d.vehicle.sysid: d.vehicle.name for d in drones}
        self._views = {
            d.vehicle.sysid: geometry.for_drone(i) if len(drones) > 1 else geometry
            for i, d in enumerate(drones)
        }
        self.size = len(drones)

    def name(self, sysid: int) -> str:
        return self._names.get(sysid) or f"vehicle {sysid}"

    def geometry(self, sysid: int) -> MissionGeometry:
        return self._views.get(sysid, self._geometry)

    def order(self, sysids: set[int]) -> list[int]:
        """``sysids`` in the mission's order, then the others by sysid."""
        return sorted(sysids, key=lambda s: (self._index.get(s, self.size), s))

    def prefix(self, sysid: int, heard: set[int], alone: str) -> str:
        """``Hexa-2: `` before a team's vehicle's event; ``alone`` for a lone drone's."""
        if self.size > 1 or len(heard) > 1:
            return f"{self.name(sysid)}: "
        return alone


def _cue_views(path: Path | None, start_s: float, end_s: float) -> list[tuple[float, CueView]]:
    if path is None:
        return []
    from overwatch.cues import CueBook

    if not path.exists():
        raise OverwatchError(f"{path}: no such cue store (expected a cues.sqlite from a run)")
    book = CueBook(path)
    try:
        cues = book.cues()
    finally:
        book.close()
    same_clock = all(start_s - 3600 <= c.first_seen_s <= end_s + 3600 for c in cues)
    return [(c.first_seen_s if same_clock else start_s, cue_view(c, age_s=0.0)) for c in cues]


def _video_frames(video_dir: Path) -> list[npt.NDArray[np.uint8]]:
    """Small frames from recorded segments, one a second, in recording order."""
    import av

    if not video_dir.is_dir():
        raise OverwatchError(f"{video_dir}: no such video folder")
    frames: list[npt.NDArray[np.uint8]] = []
    for segment in sorted(video_dir.glob("*.ts")) + sorted(video_dir.glob("*.mkv")):
        try:
            with av.open(str(segment)) as container:
                stream = container.streams.video[0]
                rate = float(stream.average_rate or 15)
                for i, frame in enumerate(container.decode(stream)):
                    if i % max(1, round(rate)) == 0:
                        rgb = frame.to_ndarray(format="rgb24", width=160, height=120)
                        frames.append(np.asarray(rgb, dtype=np.uint8))
        except (av.error.FFmpegError, IndexError):
            continue  # a segment cut short by a crash: the others still play
    return frames


def _frame_at(
    frames: list[npt.NDArray[np.uint8]], unix_s: float, start_s: float
) -> npt.NDArray[np.uint8] | None:
    if not frames:
        return None
    return frames[min(len(frames) - 1, max(0, int(unix_s - start_s)))]
