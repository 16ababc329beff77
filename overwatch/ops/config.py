"""How a live session is set up: :class:`SessionConfig`, and the strategies it can fly."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from overwatch.errors import OverwatchError
from overwatch.feeds.cot_out import TakCredentials
from overwatch.guidance import GuidanceConfig
from overwatch.mission import Mission, StrategyName
from overwatch.planning import plan, plan_team

if TYPE_CHECKING:
    from overwatch.video import Detector

#: a live strategy: one of the mission's, or ArduPilot's own FOLLOW mode as the baseline
Mode = Literal[StrategyName, "follow-baseline"]


@dataclass(frozen=True)
class SessionConfig:
    """How to run a live session.

    ``speedup`` is the simulator's speed-up when training (1 in the field):
    the session's clock and tick rate follow it. ``sightings_url`` receives
    CoT markers (the detector's and TAK's); ``cot_out`` (``udp://HOST:PORT`` or
    ``tcp://HOST:PORT``) shares the picture with TAK. ``run_dir`` holds the
    cue store and the tlog. With ``relaunch_after_swap`` the session arms and
    takes off by itself once a fresh battery is in after a return for energy
    (the ground crew must stand clear when the pack reads full); without it,
    the operator starts the next sortie.
    """

    connect: str
    patrol_feed: str
    #: further vehicle links (``--connect`` again): a team's drones are matched by sysid
    more_connects: tuple[str, ...] = ()
    #: other ground stations sharing the link (``--out``), see :mod:`overwatch.link.forward`
    outs: tuple[str, ...] = ()
    #: the MAVLink 2 signing key (32 bytes): every packet signed, unsigned ones dropped
    signing_key: bytes | None = None
    #: certificates for a ``tls://`` CoT output (``--tak-cert``, ``--tak-password`` …)
    tak: TakCredentials | None = None
    #: the video URL TAK devices are given (an RTSP relay's), when not ``video_url`` itself
    video_share: str | None = None
    mode: Mode = "lead"
    sightings_url: str | None = None
    cot_out: str | None = None
    video_url: str | None = None
    #: runs on the video's frames (default: the blob detector); e.g. an ``OnnxDetector``
    detector: Detector | None = None
    run_dir: Path | None = None
    speedup: float = 1.0
    tick_hz: float = 4.0
    link_lost_after_s: float = 1.5
    guidance: GuidanceConfig = field(default_factory=GuidanceConfig)
    trail_points: int = 300
    relaunch_after_swap: bool = True
    #: the plan's lead coverage of the mission (None: not planned), which the live figure
    #: is shown beside and held against (``overwatch.live_floor`` of it)
    planned_lead_coverage: float | None = None


def planned_lead_coverage(
    mission: Mission, mode: str, say: Callable[[str], object]
) -> float | None:
    """The plan's lead coverage for the strategy flown, said with ``say`` (None for the
    FOLLOW baseline, a comparison rather than a job, and for a mission that cannot be
    planned: ``say`` is told why); a team's: the team plan's."""
    if mode == "follow-baseline":
        return None
    try:
        if mission.extra_drones:
            team = plan_team(mission, mode)
            figure = team.coverage.lead_coverage
            drones = f"{len(team.drones)} drones, {team.relief_mode} relief"
            say(f"the plan: lead coverage {figure:.1%} ({mode}, {drones})")
            return figure
        figure = plan(mission, mode).coverage.lead_coverage
    except OverwatchError as exc:
        say(f"warning: no plan to hold the live figure against: {exc}")
        return None
    say(f"the plan: lead coverage {figure:.1%} ({mode})")
    return figure


__all__ = ["Mode", "SessionConfig", "planned_lead_coverage"]
