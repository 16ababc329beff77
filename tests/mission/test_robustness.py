"""Whatever a mission file holds, the loader answers with a MissionError, never a crash."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from overwatch.errors import MAX_REPORTED_ERRORS, MissionError, MissionErrors
from overwatch.mission import load_mission
from tests.mission.helpers import BASE

LINES = BASE.splitlines()
VALUE_LINES = [i for i, line in enumerate(LINES) if ":" in line or line.strip().startswith("- [")]

odd_values = st.one_of(
    st.sampled_from(
        [
            "",
            "null",
            "~",
            "true",
            "-1 m",
            "0 s",
            "1e999 m",
            "nan m",
            ".inf",
            "[1, 2]",
            "[]",
            "{}",
            "{a: 1}",
            "'80 m'",
            "80 km/h",
            "with_patrol",
            "[200, 300]",
            "[0.4, 14.0, 3]",
            "2026-12-01",
            "0x1F",
            "017",
            "1:30",
            "-1:30",
            "1:30.5",
            "1_000",
            "0b101",
            "0o17",
            "&a 3",
            "*a",
            "!!python/object:os.system ls",
            "[",
            "{lat: 1",
            "\t",
        ]
    ),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=False).map(repr),
    st.text(alphabet="abc :-[]{}%/,.0123456789", max_size=12),
)


def load_text(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            load_mission(path)
        except MissionError as err:
            assert err.file == str(path)
            assert str(err).startswith(str(path))


@settings(max_examples=150, deadline=None)
@given(index=st.sampled_from(VALUE_LINES), value=odd_values)
def test_any_value_gives_a_mission_error_or_loads(index: int, value: str) -> None:
    lines = list(LINES)
    line = lines[index]
    if line.strip().startswith("- ["):
        lines[index] = line[: line.index("- [") + 2] + value
    else:
        lines[index] = line[: line.index(":") + 1] + " " + value
    load_text("\n".join(lines) + "\n")


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(0, len(BASE)))
def test_truncated_files_give_a_mission_error_or_load(cut: int) -> None:
    load_text(BASE[:cut])


@settings(max_examples=100, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(VALUE_LINES), odd_values),
        min_size=2,
        max_size=6,
        unique_by=lambda change: change[0],
    )
)
def test_several_bad_values_are_each_located_and_sorted(changes: list[tuple[int, str]]) -> None:
    lines = list(LINES)
    for index, value in changes:
        line = lines[index]
        if line.strip().startswith("- ["):
            lines[index] = line[: line.index("- [") + 2] + value
        else:
            lines[index] = line[: line.index(":") + 1] + " " + value
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        try:
            load_mission(path)
        except MissionErrors as err:
            assert len(err.errors) >= 2
            assert all(e.file == str(path) and e.line is not None for e in err.errors)
            located = [(e.line or 0, e.column or 0) for e in err.errors]
            assert located == sorted(located)
            assert len(err.lines()) == min(len(err.errors), MAX_REPORTED_ERRORS) + (
                len(err.errors) > MAX_REPORTED_ERRORS
            )
        except MissionError as err:
            assert err.file == str(path)
