"""The drone's telemetry: mode, arming, altitude, speed, battery, GPS, link, guidance."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from overwatch.ops.state import DroneView
from overwatch.tui import format as fmt


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


class TelemetryPanel(Widget):
    """Shows :attr:`drone`; turns its border to the error colour when the link is lost.

    Repaints only when the text shown changes (a new position alone does not).
    """

    drone: reactive[DroneView] = reactive(DroneView, repaint=False)

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = telemetry_text(DroneView())
        self.border_title = "Drone"

    def watch_drone(self, drone: DroneView) -> None:
        if self.has_class("-link-lost") != drone.link_lost:
            self.set_class(drone.link_lost, "-link-lost")
        text = telemetry_text(drone)
        if text != self._text:
            self._text = text
            self.refresh()

    def render(self) -> Text:
        return self._text
