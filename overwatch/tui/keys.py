"""The operator's keys in one place: the app's bindings and the help screen's sections."""

from __future__ import annotations

from collections.abc import Sequence

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding("s", "start_overwatch", "Start overwatch"),
    Binding("space", "hold", "Hold", key_display="space"),
    Binding("r", "resume", "Resume"),
    Binding("R", "return_to_launch", "RTL", key_display="R"),
    Binding("L", "land", "Land", key_display="L"),
    Binding("t", "cycle_strategy", "Strategy"),
    Binding("f", "start_follow", "FOLLOW baseline"),
    Binding("T", "arm_and_takeoff", "Arm+takeoff", key_display="T"),
    Binding("m", "mark_at_cursor", "Mark at cursor"),
    Binding("M", "mark_at_camera", "Mark at camera", key_display="M"),
    Binding("tab", "focus_next", "Map ⇄ cues", show=False),
    Binding("question_mark", "help", "Help", key_display="?"),
    Binding("q", "quit", "Quit"),
]

#: a team's keys (shown, in the footer and the help, only when the session has a team)
TEAM_BINDINGS: list[BindingType] = [
    Binding("v", "cycle_drone", "Drone"),
]

#: the help screen's wording for keys whose binding description is terse
EXTRA_WORDING = {
    "v": "address the next drone: on duty → 1 → 2 … → all → on duty",
    "space": "pause: hold the drone where it is",
    "T": "arm and take off (asks first)",
    "m": "mark a cue at the map cursor",
    "M": "mark a cue at the camera centre (footprint centre)",
    "t": "switch strategy (lead → escort → bounding → static)",
    "R": "return to launch",
    "L": "land where it is",
}


def _key_label(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {"question_mark": "?", "equals_sign": "=", "plus": "+", "minus": "-"}
    return "/".join(names.get(k, k) for k in binding.key.split(","))


def binding_rows(bindings: Sequence[BindingType]) -> list[tuple[str, str]]:
    """``(key, what it does)`` for each :class:`Binding` in ``bindings``."""
    rows = []
    for binding in bindings:
        if not isinstance(binding, Binding):
            continue
        label = _key_label(binding)
        rows.append((label, EXTRA_WORDING.get(label, binding.description)))
    return rows


def help_sections(
    app: Sequence[BindingType],
    map_: Sequence[BindingType],
    cues: Sequence[BindingType],
    team: Sequence[BindingType] = (),
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen's sections, built from the live bindings so none is missed (``team``:
    a team's keys, a section of their own)."""
    sections = [
        ("Commands (anywhere)", [*binding_rows(app), ("ctrl+p", "command palette")]),
        ("Map (when focused; Tab switches)", binding_rows(map_)),
        ("Cue list (when focused)", binding_rows(cues)),
    ]
    if team:
        rows = [
            *binding_rows(team),
            ("", "hold, resume, RTL, land, arm+takeoff and strategy go to every drone"),
            ("", "addressed; start, FOLLOW and look at to one (with all: the one on duty)"),
        ]
        sections.append(("Team (commands go to the drone addressed)", rows))
    return sections
