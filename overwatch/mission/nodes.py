"""Reading a YAML document node by node, so every error can say file, line, column and field.

The loader composes the file with :func:`yaml.compose` (no construction, no
arbitrary tags) and walks it through :class:`Field`, a YAML node plus its
dotted path (``patrol.route[3]``). Every ``Field`` can make a located
:class:`~overwatch.errors.MissionError`.

Inside :func:`collecting_errors`, mistakes that do not stop the reading of a
mapping (an unknown or duplicate key) are recorded with :func:`report` and the
reading goes on, so one run can name every mistake in the file; outside it
they are raised at once.
"""

from __future__ import annotations

import contextlib
import difflib
import math
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import yaml

from overwatch.errors import AlreadyReported, MissionError, MissionErrors, QuantityError
from overwatch.mission.units import Kind, expected_text, parse_quantity

_TAG = "tag:yaml.org,2002:"
_TYPE_NAMES = {
    "str": "a string",
    "int": "a bare number",
    "float": "a bare number",
    "bool": "a boolean",
    "null": "nothing (null)",
    "timestamp": "a timestamp",
}


_SINK: ContextVar[list[MissionError] | None] = ContextVar("mission_error_sink", default=None)


@contextlib.contextmanager
def collecting_errors() -> Iterator[list[MissionError]]:
    """Record reported errors in the yielded list instead of raising them."""
    sink: list[MissionError] = []
    token = _SINK.set(sink)
    try:
        yield sink
    finally:
        _SINK.reset(token)


def report(error: MissionError) -> None:
    """Record ``error`` when errors are being collected; raise it otherwise."""
    sink = _SINK.get()
    if sink is None:
        raise error
    sink.append(error)


def raise_all(errors: list[MissionError]) -> None:
    """Raise ``errors`` as one (a :class:`MissionErrors` when several); nothing when empty."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise MissionErrors(errors)


def compose_file(path: Path) -> yaml.Node:
    """Parse ``path`` into a YAML node tree; syntax errors become located MissionErrors."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise MissionError("mission file not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise MissionError(f"cannot read the mission file: {exc}", file=str(path)) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
            started = exc.context_mark
            if started is not None and mark is not None and started.line != mark.line:
                problem += f" (the construct began on line {started.line + 1})"
        raise MissionError(
            f"YAML syntax error: {problem}",
            file=str(path),
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise MissionError(f"YAML error: {exc}", file=str(path)) from None
    if node is None:
        raise MissionError("the mission file is empty", file=str(path))
    return node


def describe(node: yaml.Node) -> str:
    """A short description of what a node holds, for 'found ...' texts."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return f"a list of {len(node.value)} item(s)"
    kind = node.tag.removeprefix(_TAG)
    if kind == "str":
        return repr(node.value)
    return f"{node.value} ({_TYPE_NAMES.get(kind, kind)})"


@dataclass(frozen=True)
class Field:
    """A YAML node, where it sits in the mission (``path``) and which file it came from."""

    node: yaml.Node
    path: str
    file: str

    # -- locations and errors ------------------------------------------------------

    @property
    def line(self) -> int:
        return int(self.node.start_mark.line) + 1

    @property
    def column(self) -> int:
        return int(self.node.start_mark.column) + 1

    def error(
        self, message: str, *, found: str | None = None, expected: str | None = None
    ) -> MissionError:
        return MissionError(
            message,
            file=self.file,
            line=self.line,
            column=self.column,
            field=self.path or None,
            found=found,
            expected=expected,
        )

    def wrong(self, expected: str, message: str = "wrong value") -> MissionError:
        """An error that says what this node holds and what was ``expected``."""
        return self.error(message, found=describe(self.node), expected=expected)

    def child(self, node: yaml.Node, suffix: str) -> Field:
        sep = "" if suffix.startswith("[") or not self.path else "."
        return Field(node, f"{self.path}{sep}{suffix}", self.file)

    # -- shapes --------------------------------------------------------------------

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.node, yaml.MappingNode)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.node, yaml.SequenceNode)

    @property
    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag == _TAG + "null"

    def mapping(self, allowed: tuple[str, ...], required: tuple[str, ...] = ()) -> Section:
        """This node as a mapping whose keys are among ``allowed``; all of ``required`` present."""
        if not self.is_mapping:
            raise self.wrong("a mapping with keys " + ", ".join(allowed))
        entries: dict[str, Field] = {}
        suggested: set[str] = set()  # keys an unknown key was probably meant to be
        for key_node, value_node in self.node.value:
            key_field = Field(key_node, self.path, self.file)
            if not isinstance(key_node, yaml.ScalarNode):
                report(key_field.error("a key must be a plain name", found=describe(key_node)))
                continue
            key = str(key_node.value)
            if key in entries:
                report(
                    key_field.error(
                        f"duplicate key '{key}' (first given on line {entries[key].line})"
                    )
                )
                continue
            if key not in allowed:
                suggested.update(difflib.get_close_matches(key, list(allowed), n=1, cutoff=0.6))
                report(
                    key_field.error(
                        f"unknown key '{key}'{did_you_mean(key, allowed)}",
                        found=repr(key),
                        expected="one of " + ", ".join(allowed),
                    )
                )
                continue
            entries[key] = self.child(value_node, key)
        missing = [key for key in required if key not in entries]
        raise_all(
            [
                self.error(f"missing required key '{key}'", expected="keys " + ", ".join(required))
                for key in missing
                if key not in suggested  # the unknown key's "did you mean" says it already
            ]
        )
        if missing:
            raise AlreadyReported
        return Section(self, entries)

    def items(self) -> list[Field]:
        """This node as a list: one field per item."""
        if not self.is_sequence:
            raise self.wrong("a list")
        return [self.child(item, f"[{i}]") for i, item in enumerate(self.node.value)]

    # -- scalars -------------------------------------------------------------------

    def _scalar(self, expected: str = "a single value") -> tuple[str, str]:
        if not isinstance(self.node, yaml.ScalarNode):
            raise self.wrong(expected)
        return self.node.tag.removeprefix(_TAG), str(self.node.value)

    def text(self) -> str:
        kind, value = self._scalar()
        if kind != "str":
            raise self.wrong("text")
        if not value.strip():
            raise self.wrong("non-empty text", "empty text")
        return value

    def number(self) -> float:
        """A plain number; ``1e3`` counts too (YAML 1.1 reads it as text)."""
        kind, value = self._scalar()
        if kind == "int":
            return float(_yaml_int(value))
        if kind not in ("float", "str"):
            raise self.wrong("a number")
        try:
            result = float(value.replace("_", ""))
        except ValueError:
            raise self.wrong("a number") from None
        if not math.isfinite(result):
            raise self.wrong("a finite number")
        return result

    def integer(self, lo: int | None = None, hi: int | None = None) -> int:
        kind, value = self._scalar()
        if kind != "int":
            raise self.wrong("a whole number")
        result = _yaml_int(value)
        if (lo is not None and result < lo) or (hi is not None and result > hi):
            raise self.wrong(f"a whole number from {lo} to {hi}", "out of range")
        return result

    def boolean(self) -> bool:
        kind, value = self._scalar()
        if kind != "bool":
            raise self.wrong("true or false")
        return value.lower() in ("true", "yes", "on")

    def choice(self, options: tuple[str, ...], what: str = "value") -> str:
        kind, value = self._scalar()
        if kind != "str" or value not in options:
            raise self.error(
                f"unknown {what} '{value}'{did_you_mean(value, options)}",
                found=describe(self.node),
                expected="one of " + ", ".join(options),
            )
        return value

    def quantity(
        self,
        kind: Kind,
        *,
        positive: bool = False,
        minimum: float | None = None,
        maximum: float | None = None,
    ) -> float:
        """A quantity with a unit (``80 m``) in SI; range limits are SI values."""
        tag, value = self._scalar(expected_text(kind))
        raw: object = value if tag in ("str", "timestamp") else self._plain(tag, value)
        try:
            result = parse_quantity(raw, kind)
        except QuantityError as exc:
            message = "missing unit" if "bare number" in exc.found else "wrong unit"
            raise self.error(message, found=exc.found, expected=exc.expected) from None
        if positive and result <= 0:
            raise self.wrong(f"a {kind.value} greater than zero", "must be positive")
        if minimum is not None and result < minimum:
            raise self.wrong(f"at least {minimum:g} (SI units)", "too small")
        if maximum is not None and result > maximum:
            raise self.wrong(f"at most {maximum:g} (SI units)", "too large")
        return result

    def timestamp(self) -> datetime:
        """An ISO 8601 date-time with a timezone, e.g. ``2026-12-01T06:30:00+01:00``."""
        expected = "an ISO 8601 date-time with a timezone, e.g. '2026-12-01T06:30:00+01:00'"
        tag, value = self._scalar(expected)
        if tag not in ("str", "timestamp"):
            raise self.wrong(expected, "bad timestamp")
        try:
            result = datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            raise self.wrong(expected, "bad timestamp") from None
        if result.tzinfo is None or result.utcoffset() is None:
            raise self.wrong(expected, "the timestamp has no timezone")
        return result

    @staticmethod
    def _plain(tag: str, value: str) -> object:
        if tag == "int":
            return _yaml_int(value)
        if tag == "float":
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value  # .inf, .nan, 1:30.5 — reported as found
        if tag == "bool":
            return value.lower() in ("true", "yes", "on")
        if tag == "null":
            return None
        return value


@dataclass(frozen=True)
class Section:
    """A checked mapping: its own field and its entries by key."""

    field: Field
    entries: dict[str, Field]

    def __contains__(self, key: str) -> bool:
        return key in self.entries

    def __getitem__(self, key: str) -> Field:
        return self.entries[key]

    def get(self, key: str) -> Field | None:
        return self.entries.get(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.entries)


def _yaml_int(value: str) -> int:
    """An integer as YAML 1.1 writes it (``1_000``, ``0x1F``, ``017`` octal, ``1:30``)."""
    text = value.replace("_", "")
    if ":" in text:  # sexagesimal, 1:30 == 90
        sign = -1 if text.startswith("-") else 1
        total = 0
        for part in text.lstrip("+-").split(":"):
            total = total * 60 + int(part)
        return sign * total
    try:
        return int(text, 0)
    except ValueError:
        return int(text, 8)


def did_you_mean(word: str, options: tuple[str, ...] | list[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest option, or an empty string."""
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    if not close:
        close = [o for o in options if o.lower() == word.lower()]
    return f" (did you mean '{close[0]}'?)" if close else ""
