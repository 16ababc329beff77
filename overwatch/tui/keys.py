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

#: the help screen's wording for keys whose binding description is terse
EXTRA_WORDING = {
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
    app: Sequence[BindingType], map_: Sequence[BindingType], cues: Sequence[BindingType]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen's sections, built from the live bindings so none is missed."""
    return [
        ("Commands (anywhere)", [*binding_rows(app), ("ctrl+p", "command palette")]),
        ("Map (when focused; Tab switches)", binding_rows(map_)),
        ("Cue list (when focused)", binding_rows(cues)),
    ]
