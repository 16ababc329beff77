"""Mission Planner / MAVProxy .waypoints: pymavlink reads them, we read them back, bad files."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymavlink import mavwp

from overwatch.errors import FormatError
from overwatch.formats import read_waypoints, waypoints_text, write_waypoints
from overwatch.items import Cmd, Frame, MissionItem
from overwatch.planning.model import Plan
from tests.formats.conftest import LAUNCH, LAUNCH_ALT_MSL_M
from tests.formats.helpers import assert_same_items, same_item


@pytest.mark.parametrize("index", [0, 1])
def test_pymavlink_mavwploader_reads_our_file(plan: Plan, tmp_path: Path, index: int) -> None:
    items = plan.sorties[index].items
    path = write_waypoints(items, tmp_path / "s.waypoints")
    loader = mavwp.MAVWPLoader()
    assert loader.load(str(path)) == len(items)
    assert loader.count() == len(items)
    for seq, item in enumerate(items):
        wp = loader.wp(seq)
        assert wp.seq == seq
        assert wp.command == item.command
        assert wp.frame == item.normalised().frame
        assert wp.autocontinue == 1
        assert wp.x == pytest.approx(item.lat_deg, abs=1e-8)
        assert wp.y == pytest.approx(item.lon_deg, abs=1e-8)
        assert wp.z == pytest.approx(item.alt_m, abs=1e-6)
        for got, want in zip(
            (wp.param1, wp.param2, wp.param3, wp.param4),
            (item.param1, item.param2, item.param3, item.param4),
            strict=True,
        ):
            assert (math.isnan(got) and math.isnan(want)) or got == pytest.approx(want)
    home = loader.wp(0)
    assert (home.x, home.y, home.z, home.frame) == (LAUNCH.lat_deg, LAUNCH.lon_deg,
                                                    LAUNCH_ALT_MSL_M, Frame.GLOBAL)  # fmt: skip


def test_layout_is_tab_separated_with_home_current(plan: Plan) -> None:
    lines = waypoints_text(plan.sorties[0].items).splitlines()
    assert lines[0] == "QGC WPL 110"
    assert all(line.count("\t") == 11 for line in lines[1:])
    assert lines[1].split("\t")[:4] == ["0", "1", "0", "16"]
    assert all(line.split("\t")[1] == "0" for line in lines[2:])


def test_round_trip(plan: Plan, tmp_path: Path) -> None:
    items = plan.sorties[1].items
    back = read_waypoints(write_waypoints(items, tmp_path / "s.waypoints"))
    assert_same_items(back, items)


def test_reads_pymavlink_saved_file(plan: Plan, tmp_path: Path) -> None:
    """A file MAVProxy writes (``wp save``: MAVWPLoader.save) reads back the same."""
    src = write_waypoints(plan.sorties[0].items, tmp_path / "a.waypoints")
    loader = mavwp.MAVWPLoader()
    loader.load(str(src))
    saved = tmp_path / "mavproxy.waypoints"
    loader.save(str(saved))
    back = read_waypoints(saved)
    # MAVProxy writes %f: 6 decimals of a degree (~0.1 m)
    for got, want in zip(back, plan.sorties[0].items, strict=True):
        assert same_item(got, want, tol=1e-6)


_finite = st.floats(-1e4, 1e4, allow_nan=False).map(lambda v: round(v, 6))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.builds(
            MissionItem,
            command=st.sampled_from(list(Cmd)),
            frame=st.sampled_from([Frame.GLOBAL, Frame.GLOBAL_RELATIVE_ALT, Frame.MISSION]),
            param1=_finite,
            param2=_finite,
            param3=_finite,
            param4=st.one_of(_finite, st.just(math.nan)),
            lat_deg=st.floats(-90, 90).map(lambda v: round(v, 8)),
            lon_deg=st.floats(-180, 180).map(lambda v: round(v, 8)),
            alt_m=_finite,
            autocontinue=st.booleans(),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_any_items_round_trip_through_text(items: list[MissionItem]) -> None:
    with tempfile.TemporaryDirectory() as d:
        back = read_waypoints(write_waypoints(items, Path(d) / "p.waypoints"))
    assert_same_items(back, items)


GOOD = "0\t1\t0\t16\t0\t0\t0\t0\t14.2\t1.45\t212\t1"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", r"bad\.waypoints:1: header is an empty file; expected 'QGC WPL 110'"),
        ("QGC WPL 100\n" + GOOD, r"bad\.waypoints:1: header is 'QGC WPL 100'; expected"),
        ("QGC WPL 110\n", r"bad\.waypoints: no items after the header"),
        ("QGC WPL 110\n" + GOOD + "\n1\t0\t3\t16\t0\t0\t0",
         r"bad\.waypoints:3: found 7 fields; expected 12"),
        ("QGC WPL 110\n" + GOOD.replace("14.2", "14,2"),
         r"bad\.waypoints:2: latitude is '14,2'; expected a number"),
        ("QGC WPL 110\n" + GOOD.replace("\t16\t", "\tWAYPOINT\t"),
         r"bad\.waypoints:2: command is 'WAYPOINT'; expected an integer"),
        ("QGC WPL 110\n" + GOOD + "\n" + GOOD.replace("0\t1", "5\t0", 1),
         r"bad\.waypoints:3: seq is 5; expected 1"),
    ],
)  # fmt: skip
def test_bad_files_raise_format_error_naming_file_and_line(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "bad.waypoints"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError, match=expected) as info:
        read_waypoints(path)
    assert str(path) in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"no such \.waypoints file"):
        read_waypoints(tmp_path / "gone.waypoints")
