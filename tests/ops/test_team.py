"""The relief coordinator, tick by tick with no clock: who watches, when the next drone goes up."""

from __future__ import annotations

from dataclasses import replace

from overwatch.guidance import GuidanceCommand, GuidanceState
from overwatch.guidance.types import EnergyStatus, FenceOutcome
from overwatch.ops.team import (
    ARRIVAL_MARGIN_S,
    LEAD_TIME_SLACK,
    RETRY_LAUNCH_S,
    CrewInput,
    Launch,
    ReliefCoordinator,
    Relieve,
    Role,
    TeamNote,
)

OVERLAP_S = 60.0
RETURN_MARGIN_S = 60.0
LEAD_S = 200.0  # what the drone on the ground needs to be on station


def command(
    state: GuidanceState = GuidanceState.WATCH_AHEAD, margin_s: float = 900.0
) -> GuidanceCommand:
    energy = EnergyStatus(
        battery_pct=50.0,
        flight_left_s=margin_s + 100.0,
        return_needed_s=100.0,
        margin_s=margin_s,
        return_point="launch",
        drain_pct_per_s=0.05,
        must_return=False,
    )
    return GuidanceCommand(
        time_s=0.0,
        state=state,
        action="goto",
        lat_deg=13.77,
        lon_deg=5.25,
        alt_rel_m=80.0,
        x_m=0.0,
        y_m=0.0,
        vn_m_s=0.0,
        ve_m_s=0.0,
        vd_m_s=0.0,
        yaw_deg=None,
        roi=None,
        fence=FenceOutcome.OK,
        energy=energy,
    )


WATCHING = CrewInput(
    heard=True,
    armed=True,
    airborne=True,
    mode="GUIDED",
    battery_pct=60.0,
    command=command(),
    station_distance_m=5.0,
)
ON_GROUND = CrewInput(
    heard=True,
    mode="GUIDED",
    battery_pct=100.0,
    command=command(GuidanceState.CLIMB_OUT),
    station_distance_m=3000.0,
    lead_time_s=LEAD_S,
)


def team(mode: str = "continuous", anticipate: bool = True) -> ReliefCoordinator:
    coordinator = ReliefCoordinator(
        ["Hexa-1", "Hexa-2"],
        overlap_s=OVERLAP_S,
        return_margin_s=RETURN_MARGIN_S,
        mode=mode,
        anticipate=anticipate,
    )
    coordinator.started(0)
    return coordinator


def tired(margin_s: float) -> CrewInput:
    return replace(WATCHING, command=command(margin_s=margin_s))


def test_the_fresh_drone_goes_up_to_be_on_station_an_overlap_before_the_tired_one_leaves() -> None:
    coordinator = team()
    must_leave_in = LEAD_S * (1.0 + LEAD_TIME_SLACK) + OVERLAP_S + ARRIVAL_MARGIN_S
    early = coordinator.step(0.0, [tired(RETURN_MARGIN_S + must_leave_in + 5.0), ON_GROUND])
    assert early == []
    assert coordinator.roles == [Role.ON_STATION, Role.STANDBY]
    due = coordinator.step(1.0, [tired(RETURN_MARGIN_S + must_leave_in - 1.0), ON_GROUND])
    assert [type(a) for a in due] == [Launch]
    assert due[0].crew == 1


def test_no_relief_when_the_watch_ends_before_the_battery_runs_down() -> None:
    coordinator = team()
    actions = coordinator.step(0.0, [tired(RETURN_MARGIN_S + 100.0), ON_GROUND], watch_left_s=90.0)
    assert actions == []


def test_the_tired_drone_is_sent_home_only_after_the_overlap_on_station() -> None:
    coordinator = team()
    low = tired(RETURN_MARGIN_S + 100.0)
    assert isinstance(coordinator.step(0.0, [low, ON_GROUND])[0], Launch)
    climbing = replace(ON_GROUND, armed=True, launching=True)
    assert coordinator.step(10.0, [low, climbing]) == []
    assert coordinator.roles == [Role.ON_STATION, Role.LAUNCHING]
    out_there = replace(WATCHING, station_distance_m=400.0, battery_pct=95.0)
    assert coordinator.step(60.0, [low, out_there]) == []  # still flying out
    assert coordinator.roles[1] is Role.TO_STATION
    arrived = replace(out_there, station_distance_m=20.0)
    assert coordinator.step(100.0, [low, arrived]) == []  # on station: the overlap begins
    assert coordinator.roles == [Role.OVERLAP, Role.OVERLAP]
    assert coordinator.step(100.0 + OVERLAP_S - 1.0, [low, arrived]) == []
    done = coordinator.step(100.0 + OVERLAP_S, [low, arrived])
    assert Relieve(0) in done
    assert coordinator.duty == 1
    assert coordinator.log.reliefs == [(100.0 + OVERLAP_S, 0, 1)]


def test_a_failed_launch_leaves_the_tired_drone_on_station_and_is_tried_again() -> None:
    coordinator = team()
    low = tired(RETURN_MARGIN_S + 100.0)
    coordinator.step(0.0, [low, ON_GROUND])
    refused = replace(ON_GROUND, launch_failures=1, launch_error="arming refused: PreArm: battery")
    notes = coordinator.step(5.0, [low, refused])
    assert any(isinstance(a, TeamNote) and "stays on station" in a.text for a in notes)
    assert coordinator.duty == 0 and coordinator.relief is None
    assert not any(isinstance(a, Launch) for a in coordinator.step(6.0, [low, refused]))
    again = coordinator.step(5.0 + RETRY_LAUNCH_S, [low, refused])
    assert [a.crew for a in again if isinstance(a, Launch)] == [1]


def test_a_lost_drone_on_duty_is_taken_over_at_once() -> None:
    coordinator = team()
    lost = replace(WATCHING, link_lost=True)
    actions = coordinator.step(0.0, [lost, ON_GROUND])
    assert any(isinstance(a, TeamNote) and "lost (link lost)" in a.text for a in actions)
    assert [a.crew for a in actions if isinstance(a, Launch)] == [1]
    assert coordinator.duty == 1
    assert coordinator.log.takeovers == [(0.0, 0, 1, 0.0)]
    assert coordinator.roles[0] is Role.LOST


def test_a_failsafe_rtl_counts_as_lost_and_a_drone_in_the_air_takes_over_from_there() -> None:
    coordinator = team()
    low = tired(RETURN_MARGIN_S + 100.0)
    coordinator.step(0.0, [low, ON_GROUND])  # the fresh drone goes up
    up = replace(WATCHING, station_distance_m=900.0)
    rtl = replace(low, mode="RTL")
    actions = coordinator.step(30.0, [rtl, up])
    assert not any(isinstance(a, Launch) for a in actions)
    assert coordinator.duty == 1


def test_our_own_landing_is_not_a_failsafe() -> None:
    coordinator = team()
    landing = replace(WATCHING, mode="LAND", command=command(GuidanceState.LANDING))
    actions = coordinator.step(0.0, [landing, ON_GROUND])
    assert not any(isinstance(a, TeamNote) and "lost" in a.text for a in actions)
    # it turned home by itself (its reserve): the other one takes the watch
    assert [a.crew for a in actions if isinstance(a, Launch)] == [1]


def test_follow_baseline_takes_turns_without_anticipation() -> None:
    coordinator = team(anticipate=False)
    assert coordinator.step(0.0, [tired(RETURN_MARGIN_S + 1.0), ON_GROUND]) == []
    home = replace(WATCHING, command=command(GuidanceState.RETURNING))
    assert [a.crew for a in coordinator.step(1.0, [home, ON_GROUND]) if isinstance(a, Launch)] == [
        1
    ]


def test_no_drone_ready_is_said_once() -> None:
    coordinator = team()
    lost = replace(WATCHING, link_lost=True)
    flat = replace(ON_GROUND, battery_pct=40.0)
    first = coordinator.step(0.0, [lost, flat])
    assert sum("no other drone is ready" in a.text for a in first if isinstance(a, TeamNote)) == 1
    second = coordinator.step(1.0, [lost, flat])
    assert not any(isinstance(a, TeamNote) and "ready" in a.text for a in second)
    assert coordinator.roles[1] is Role.TURNAROUND
