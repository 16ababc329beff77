"""Lines from GeoJSON, KML and GPX files, as QGIS draws them or a GPS records them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from overwatch.errors import MissionError
from overwatch.mission import load_mission
from overwatch.mission.routes import read_line_file
from tests.mission.helpers import BASE, write

MISSIONS = Path(__file__).resolve().parents[2] / "missions"
POINTS = [(14.034066, 0.424441), (14.033434, 0.420738), (14.031898, 0.413795)]
LON_LAT = [[lon, lat] for lat, lon in POINTS]


def geojson(tmp_path: Path, doc: object, name: str = "line.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "doc",
    [
        {"type": "LineString", "coordinates": LON_LAT},
        {
            "type": "Feature",
            "properties": {},
            "geometry": {"type": "LineString", "coordinates": LON_LAT},
        },
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [0.41, 14.03]}},
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[*c, 250.0] for c in LON_LAT],
                    },
                },
            ],
        },
    ],
    ids=["geometry", "feature", "collection-with-point-and-3d"],
)
def test_geojson_is_lon_lat(tmp_path: Path, doc: object) -> None:
    assert read_line_file(geojson(tmp_path, doc)) == POINTS


def test_geojson_with_two_lines_is_refused(tmp_path: Path) -> None:
    line = {"type": "Feature", "geometry": {"type": "LineString", "coordinates": LON_LAT}}
    doc = {"type": "FeatureCollection", "features": [line, line]}
    with pytest.raises(MissionError) as info:
        read_line_file(geojson(tmp_path, doc), "patrol.route")
    assert info.value.found == "2 LineStrings among: LineString"
    assert info.value.field == "patrol.route"


def test_geojson_out_of_range_names_the_point(tmp_path: Path) -> None:
    doc = {"type": "LineString", "coordinates": [[0.42, 14.03], [14.03, 95.0]]}
    with pytest.raises(MissionError) as info:
        read_line_file(geojson(tmp_path, doc), "patrol.route")
    assert info.value.field == "patrol.route[1]"
    assert info.value.found == "lat 95, lon 14.03"


def test_invalid_json_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text('{\n  "type": "LineString",\n  "coordinates": [[0.4, 14.0],,]\n}\n')
    with pytest.raises(MissionError) as info:
        read_line_file(path)
    assert info.value.line == 3 and "invalid JSON" in info.value.message


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Placemark>
<Point><coordinates>0.41,14.03,0</coordinates></Point></Placemark>
<Placemark><LineString><coordinates>
  0.424441,14.034066,0 0.420738,14.033434,0
  0.413795,14.031898
</coordinates></LineString></Placemark></Document></kml>
"""


def test_kml_line(tmp_path: Path) -> None:
    path = tmp_path / "road.kml"
    path.write_text(KML)
    assert read_line_file(path) == POINTS


def test_kml_polygon_is_not_a_line(tmp_path: Path) -> None:
    path = tmp_path / "area.kml"
    path.write_text(
        '<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Polygon><outerBoundaryIs>'
        "<LinearRing><coordinates>0.4,14 0.41,14 0.41,14.01 0.4,14</coordinates></LinearRing>"
        "</outerBoundaryIs></Polygon></Placemark></kml>"
    )
    with pytest.raises(MissionError) as info:
        read_line_file(path)
    assert info.value.message == "not a line"
    assert info.value.found == "0 LineStrings (shapes present: LinearRing, Polygon)"


def test_malformed_kml_has_a_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.kml"
    path.write_text("<kml>\n<Placemark>\n<LineString></Placemark>\n</kml>\n")
    with pytest.raises(MissionError) as info:
        read_line_file(path)
    assert info.value.line == 3 and "invalid XML" in info.value.message


def gpx(body: str) -> str:
    return (
        '<?xml version="1.0"?>\n<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
        f"{body}</gpx>"
    )


def test_gpx_track_segments_are_joined(tmp_path: Path) -> None:
    (a, b), (c, d), (e, f) = POINTS
    path = tmp_path / "walk.gpx"
    path.write_text(
        gpx(
            f'<wpt lat="1" lon="1"/><trk><trkseg><trkpt lat="{a}" lon="{b}"/>'
            f'<trkpt lat="{c}" lon="{d}"/></trkseg>'
            f'<trkseg><trkpt lat="{e}" lon="{f}"><ele>300</ele></trkpt></trkseg></trk>'
        )
    )
    assert read_line_file(path) == POINTS


def test_gpx_route(tmp_path: Path) -> None:
    path = tmp_path / "plan.gpx"
    path.write_text(
        gpx(
            "".join(f'<rte><rtept lat="{a}" lon="{o}"/>' for a, o in POINTS[:1])
            + "".join(f'<rtept lat="{a}" lon="{o}"/>' for a, o in POINTS[1:])
            + "</rte>"
        )
    )
    assert read_line_file(path) == POINTS


def test_gpx_without_track_or_route(tmp_path: Path) -> None:
    path = tmp_path / "points.gpx"
    path.write_text(gpx('<wpt lat="14" lon="0.4"/>'))
    with pytest.raises(MissionError) as info:
        read_line_file(path)
    assert info.value.found == "0 tracks and 0 routes"


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "road.shp"
    path.write_text("")
    with pytest.raises(MissionError) as info:
        read_line_file(path)
    assert info.value.found == "'.shp'"


def test_mission_route_from_each_format_and_reverse(tmp_path: Path) -> None:
    inline = load_mission(write(tmp_path, BASE)).patrol.route
    pairs = [(p.lat_deg, p.lon_deg) for p in inline]
    geojson(
        tmp_path, {"type": "LineString", "coordinates": [[o, a] for a, o in pairs]}, "r.geojson"
    )
    coords = " ".join(f"{o},{a}" for a, o in pairs)
    (tmp_path / "r.kml").write_text(
        f"<kml><LineString><coordinates>{coords}</coordinates></LineString></kml>"
    )
    pts = "".join(f'<trkpt lat="{a}" lon="{o}"/>' for a, o in pairs)
    (tmp_path / "r.gpx").write_text(gpx(f"<trk><trkseg>{pts}</trkseg></trk>"))
    start, end = BASE.index("  route:\n"), BASE.index("vehicle:")
    for name in ("r.geojson", "r.kml", "r.gpx"):
        text = BASE[:start] + f"  route: {{file: {name}}}\n" + BASE[end:]
        assert load_mission(write(tmp_path, text, f"m-{name}.yaml")).patrol.route == inline
    rev = BASE[:start] + "  route: {file: r.gpx, reverse: true}\n" + BASE[end:]
    assert load_mission(write(tmp_path, rev, "rev.yaml")).patrol.route == inline[::-1]


def test_route_file_in_a_subfolder_is_relative_to_the_mission(tmp_path: Path) -> None:
    (tmp_path / "sub" / "routes").mkdir(parents=True)
    geojson(
        tmp_path / "sub" / "routes", {"type": "LineString", "coordinates": LON_LAT}, "a.geojson"
    )
    start, end = BASE.index("  route:\n"), BASE.index("vehicle:")
    text = BASE[:start] + "  route: {file: routes/a.geojson}\n" + BASE[end:]
    (tmp_path / "sub" / "m.yaml").write_text(text)
    assert [p.as_tuple() for p in load_mission(tmp_path / "sub" / "m.yaml").patrol.route] == POINTS


def test_example_route_files_agree_with_the_missions() -> None:
    customs = load_mission(MISSIONS / "customs-post.yaml")
    kml = read_line_file(MISSIONS / "routes" / "petelkole-approach.kml")
    assert kml == [p.as_tuple() for p in customs.patrol.route]
    vehicle = load_mission(MISSIONS / "vehicle-patrol.yaml")
    assert read_line_file(MISSIONS / "routes" / "konni-border-road.geojson") == [
        p.as_tuple() for p in vehicle.patrol.route
    ]
    foot = load_mission(MISSIONS / "foot-patrol.yaml")
    track = read_line_file(MISSIONS / "routes" / "makalondi-foot-patrol.gpx")
    assert len(track) == len(foot.patrol.route) == 48
