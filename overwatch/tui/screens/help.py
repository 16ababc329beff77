"""Every key, what it does, and what the map's symbols mean."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

LEGEND = (
    ("↑↗→…", "drone, pointing where it heads (grey: link lost)"),
    ("▲◥▶…", "patrol, pointing where it heads"),
    ("· ○ ◇ ◆ ✖", "cue: info, low, medium, high, critical"),
    ("H  R", "launch (home), rally point"),
    ("┼", "map cursor"),
    ("█ ░ ·", "coverage: watched, ahead and not watched, unknown"),
)


def help_text(sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> Text:
    text = Text()
    for title, rows in sections:
        text.append(f"{title}\n", style="bold underline")
        for key, description in rows:
            text.append(f"  {key:<12}", style="bold")
            text.append(f"{description}\n")
        text.append("\n")
    return text


class HelpScreen(ModalScreen[None]):
    """Lists the keys given to it (section title, then ``(key, description)`` rows)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, sections: Sequence[tuple[str, Sequence[tuple[str, str]]]]) -> None:
        super().__init__()
        self.sections = [*sections, ("Map symbols", LEGEND)]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static(help_text(self.sections), id="help")

    def on_mount(self) -> None:
        self.query_one("#dialog").border_title = "Keys (Esc or ? closes)"

    def action_close(self) -> None:
        self.dismiss(None)
