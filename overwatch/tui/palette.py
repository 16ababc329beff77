"""Colours: two Textual themes and the map's palette for each.

Colours come from the Okabe–Ito set, which stays distinguishable with the
common colour-vision deficiencies; every meaning carried by colour is also
carried by a glyph (cue severity: ``· ○ ◇ ◆ ✖``), so nothing depends on hue
alone. The light theme is black on white with saturated, dark strokes, for
a screen read in full sun.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.style import Style
from textual.theme import Theme

from overwatch.ops.state import Severity

# Okabe–Ito
ORANGE = "#E69F00"
SKY = "#56B4E9"
GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
PURPLE = "#CC79A7"

DARK_THEME = Theme(
    name="overwatch-dark",
    primary=SKY,
    secondary=ORANGE,
    accent=YELLOW,
    warning=ORANGE,
    error=VERMILLION,
    success=GREEN,
    foreground="#E8E8E8",
    background="#101418",
    surface="#161B21",
    panel="#1F262E",
    dark=True,
)

LIGHT_THEME = Theme(
    name="overwatch-light",
    primary=BLUE,
    secondary="#8A4F00",
    accent=BLUE,
    warning="#8A4F00",
    error="#A33A00",
    success="#00664A",
    foreground="#000000",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#E6E6E6",
    dark=False,
)

THEMES = {"dark": DARK_THEME, "light": LIGHT_THEME}

#: glyph per severity, so severity reads without colour
SEVERITY_GLYPH = {
    Severity.INFO: "·",
    Severity.LOW: "○",
    Severity.MEDIUM: "◇",
    Severity.HIGH: "◆",
    Severity.CRITICAL: "✖",
}
SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}


@dataclass(frozen=True)
class MapPalette:
    """Styles for every map layer and marker, and for severities elsewhere."""

    background: Style
    text: Style
    route: Style
    keep_in: Style
    keep_out: Style
    border: Style
    border_zone: Style
    footprint: Style
    patrol: Style
    drone: Style
    rally: Style
    cursor: Style
    dim: Style
    severity: dict[Severity, Style]


def _palette(dark: bool) -> MapPalette:
    if dark:
        bg, fg = "#101418", "#E8E8E8"
        severity = {
            Severity.INFO: Style(color="#9A9A9A", bgcolor=bg),
            Severity.LOW: Style(color=SKY, bgcolor=bg),
            Severity.MEDIUM: Style(color=YELLOW, bgcolor=bg),
            Severity.HIGH: Style(color=VERMILLION, bgcolor=bg, bold=True),
            Severity.CRITICAL: Style(color="#FFFFFF", bgcolor=VERMILLION, bold=True),
        }
        return MapPalette(
            background=Style(color=fg, bgcolor=bg),
            text=Style(color=fg, bgcolor=bg),
            route=Style(color="#D0D0D0", bgcolor=bg),
            keep_in=Style(color=GREEN, bgcolor=bg),
            keep_out=Style(color=PURPLE, bgcolor=bg),
            border=Style(color=VERMILLION, bgcolor=bg, bold=True),
            border_zone=Style(color="#8C3C00", bgcolor=bg),
            footprint=Style(color=ORANGE, bgcolor=bg),
            patrol=Style(color=SKY, bgcolor=bg, bold=True),
            drone=Style(color=YELLOW, bgcolor=bg, bold=True),
            rally=Style(color=GREEN, bgcolor=bg, bold=True),
            cursor=Style(color=bg, bgcolor=fg, bold=True),
            dim=Style(color="#6A6A6A", bgcolor=bg),
            severity=severity,
        )
    bg, fg = "#FFFFFF", "#000000"
    severity = {
        Severity.INFO: Style(color="#505050", bgcolor=bg),
        Severity.LOW: Style(color=BLUE, bgcolor=bg),
        Severity.MEDIUM: Style(color="#8A4F00", bgcolor=bg, bold=True),
        Severity.HIGH: Style(color="#A33A00", bgcolor=bg, bold=True),
        Severity.CRITICAL: Style(color="#FFFFFF", bgcolor="#A33A00", bold=True),
    }
    return MapPalette(
        background=Style(color=fg, bgcolor=bg),
        text=Style(color=fg, bgcolor=bg),
        route=Style(color="#000000", bgcolor=bg),
        keep_in=Style(color="#00664A", bgcolor=bg),
        keep_out=Style(color="#8E3B6E", bgcolor=bg),
        border=Style(color="#A33A00", bgcolor=bg, bold=True),
        border_zone=Style(color="#C98A66", bgcolor=bg),
        footprint=Style(color="#8A4F00", bgcolor=bg),
        patrol=Style(color=BLUE, bgcolor=bg, bold=True),
        drone=Style(color="#5A2D82", bgcolor=bg, bold=True),
        rally=Style(color="#00664A", bgcolor=bg, bold=True),
        cursor=Style(color=bg, bgcolor=fg, bold=True),
        dim=Style(color="#8A8A8A", bgcolor=bg),
        severity=severity,
    )


DARK_MAP = _palette(dark=True)
LIGHT_MAP = _palette(dark=False)


def map_palette(dark: bool) -> MapPalette:
    return DARK_MAP if dark else LIGHT_MAP
