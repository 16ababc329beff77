"""Files from outside, gone wrong: a located error (MissionError/FormatError), never a traceback.

Mission YAML, the route files it names (GeoJSON, KML, GPX), QGC ``.plan``
and ``.waypoints`` are mutated (random bytes, truncation, a byte changed,
bytes spliced in or cut out, oversize) and read; the reader either returns
or raises the project's error naming the file.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import example, given

from overwatch.errors import FormatError, MissionError
from overwatch.formats import read_qgc_plan, write_qgc_plan
from overwatch.formats.waypoints import read_waypoints, waypoints_text
from overwatch.mission import load_mission
from overwatch.mission.routes import read_line_file
from tests.formats.conftest import build_plan
from tests.fuzzing import examples, mutations

ROOT = Path(__file__).resolve().parents[2]
ROUTES = ROOT / "missions" / "routes"
_PLAN = build_plan()
with tempfile.TemporaryDirectory() as _tmp:
    GOOD_PLAN = write_qgc_plan(_PLAN, _PLAN.sorties[0], Path(_tmp) / "s.plan").read_bytes()
GOOD_WAYPOINTS = waypoints_text(_PLAN.sorties[0].items).encode()
GOOD_MISSION = (ROOT / "missions" / "foot-patrol.yaml").read_bytes()


def read_as(name: str, data: bytes, reader: Callable[[Path], Any], error: type[Exception]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(bytes(data))
        try:
            reader(path)
        except error as exc:
            assert str(path) in str(exc), exc


@examples(150, share=0.1)
@given(mutations(GOOD_MISSION, oversize_to=200_000))
def test_mission_yaml(data: bytes) -> None:
    # the mission names its route file relative to itself: keep the routes beside it
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "routes").symlink_to(ROUTES)
        path = Path(tmp) / "m.yaml"
        path.write_bytes(bytes(data))
        try:
            load_mission(path)
        except MissionError as exc:
            assert str(exc).startswith(str(path)) or str(ROUTES.name) in str(exc), exc


def _route_test(route: str) -> Callable[[bytes], None]:
    good = (ROUTES / route).read_bytes()

    @examples(150, share=0.1)
    @given(mutations(good, oversize_to=200_000))
    @example(good.replace(b"UTF-8", b"ATF-8"))  # LookupError escaped the KML/GPX reader
    def test(data: bytes) -> None:
        read_as(route, data, lambda p: read_line_file(p), MissionError)

    return test


test_geojson_route = _route_test("konni-border-road.geojson")
test_gpx_route = _route_test("makalondi-foot-patrol.gpx")
test_kml_route = _route_test("petelkole-approach.kml")


@examples(150, share=0.1)
@given(mutations(GOOD_PLAN, oversize_to=200_000))
def test_qgc_plan(data: bytes) -> None:
    read_as("s.plan", data, read_qgc_plan, FormatError)


@examples(150, share=0.1)
@given(mutations(GOOD_WAYPOINTS, oversize_to=200_000))
def test_waypoints(data: bytes) -> None:
    read_as("s.waypoints", data, read_waypoints, FormatError)
