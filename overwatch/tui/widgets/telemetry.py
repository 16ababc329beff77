"""The drone's telemetry: mode, arming, altitude, speed, battery, GPS, link, guidance.

With a team, the panel lists every drone first (two lines each: its tag and name, its
role; its mode, altitude and battery), the drone on duty reversed and the ones the
operator's commands address marked ``▸``, then the details of one drone; its title
says whom commands address.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from overwatch.ops.state import DroneView
from overwatch.tui import format as fmt
from overwatch.tui.team import drone_name, drone_tag


def telemetry_text(drone: DroneView) -> Text:
    """The panel's lines for one :class:`DroneView` (styles name Textual theme roles)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if drone.link_lost:
        text.append(f" LINK LOST {fmt.duration(drone.last_message_age_s)} ", style="bold reverse")
        text.append("\n")
    text.append(drone.mode, style="bold")
    text.append("  ")
    text.append("ARMED" if drone.armed else "disarmed", style="bold" if drone.armed else "dim")
    text.append("  airborne" if drone.airborne else "  on ground")
    text.append(f"\nAlt {fmt.number(drone.alt_rel_m, '.1f', ' m')} rel")
    text.append(f"  GS {fmt.number(drone.groundspeed_m_s, '.1f', ' m/s')}")
    text.append("\nBat ")
    low = drone.battery_pct is not None and drone.battery_pct < 25.0
    text.append(fmt.number(drone.battery_pct, ".0f", "%"), style="bold reverse" if low else "")
    text.append(f" {fmt.number(drone.battery_v, '.1f', ' V')}")
    text.append(f" {fmt.duration(drone.battery_time_left_s)} left")
    sats = "" if drone.gps_satellites is None else f" {drone.gps_satellites} sats"
    text.append(f"\nGPS {drone.gps_fix}{sats}")
    text.append(f"\nLink {fmt.number(drone.link_quality_pct, '.0f', '%')}")
    text.append(f"  last msg {fmt.duration(drone.last_message_age_s)}")
    if drone.bad_packets:
        text.append(f"  {drone.bad_packets} bad", style="bold")
    item = "" if drone.mission_item is None else f"item {drone.mission_item} · "
    text.append(f"\n{item}{drone.guidance_state}")
    if drone.stop_request is not None:
        text.append(f"\nASK: {drone.stop_request}", style="bold reverse")
    return text


@dataclass(frozen=True)
class TeamView:
    """A team as the panel lists it: every drone (mission order), the index of the one on
    duty (None: none yet), those the operator's commands address, whose details are shown
    (``shown``) and whom commands address in words (``label``)."""

    drones: tuple[DroneView, ...]
    duty: int | None
    addressed: tuple[int, ...]
    shown: int | None
    label: str


def team_text(team: TeamView) -> Text:
    """Two lines per drone of ``team`` (see the module docstring)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for i, drone in enumerate(team.drones):
        if i:
            text.append("\n")
        text.append("▸" if i in team.addressed else " ", style="bold")
        name = f"{drone_tag(i)} {drone_name(team.drones, i)}"
        text.append(name, style="bold reverse" if i == team.duty else "bold")
        text.append(f"  {drone.role or '—'}")
        text.append("\n   ")
        if drone.link_lost and drone.last_message_age_s is not None:
            lost = f" LINK LOST {fmt.duration(drone.last_message_age_s)} "
            text.append(lost, style="bold reverse")
            continue
        text.append(drone.mode)
        text.append(f" {fmt.number(drone.alt_rel_m, '.0f', ' m')} ")
        low = drone.battery_pct is not None and drone.battery_pct < 25.0
        text.append(fmt.number(drone.battery_pct, ".0f", "%"), style="bold reverse" if low else "")
    return text


class TelemetryPanel(Widget):
    """Shows :attr:`drone` (and :attr:`team`'s list above it when there is a team); turns
    its border to the error colour when the link of the drone shown is lost.

    Repaints only when the text shown changes (a new position alone does not).
    """

    drone: reactive[DroneView] = reactive(DroneView, repaint=False)
    team: reactive[TeamView | None] = reactive(None, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = telemetry_text(DroneView())
        self.border_title = "Drone"

    def watch_drone(self, drone: DroneView) -> None:
        self._update()

    def watch_team(self, team: TeamView | None) -> None:
        self._update()

    def _update(self) -> None:
        drone, team = self.drone, self.team
        if self.has_class("-link-lost") != drone.link_lost:
            self.set_class(drone.link_lost, "-link-lost")
        if self.has_class("-team") != (team is not None):
            self.set_class(team is not None, "-team")
        text = telemetry_text(drone)
        title = "Drone"
        if team is not None:
            title = f"Team · cmds → {team.label}"
            details = text
            text = team_text(team)
            text.append("\n")
            if team.shown is not None:
                text.append(f"{drone_tag(team.shown)}: ", style="bold")
            text.append_text(details)
        if str(self.border_title) != title:
            self.border_title = title
        if text != self._text:
            self._text = text
            self.refresh(layout=team is not None)

    def render(self) -> Text:
        return self._text
