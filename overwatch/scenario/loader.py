"""Scenario files: YAML beside a mission, read with located errors.

::

    schema_version: 1
    name: Ambush drill on the border road
    mission: vehicle-patrol.yaml        # relative to this file
    seed: 7
    patrol:
      late_start: 2 min
      speed_factor: 1.1                 # the patrol drives 10 % faster than planned
      halts:   [{at: 6.4 km, duration: 4 min}]
      detours: [{from: 8.0 km, to: 9.0 km, offset: 250 m}]   # right of the route; left < 0
      dropouts: [{at: 15 min, duration: 90 s}]
      outliers: [{at: 30 min, offset: 3 km, bearing: 45 deg}]   # one fix 3 km off; bearing optional
      bad_sentences: [{at: 10 min, count: 3}]  # the next 3 fixes go out with bad checksums
    threats:
      - {id: T1, kind: person, at: 3.1 km, offset: 35 m, appear: 0 s}
      - {id: T2, kind: vehicle, position: {lat: 13.28, lon: 2.31}, appear: 5 min,
         moves_to: {lat: 13.281, lon: 2.305}, speed: 3 m/s}
    sensor: {detection_probability: 70 %, position_sigma: 6 m}

Threats are placed either by a position or by a station along the route
(``at``) and an ``offset`` to the right of the direction of travel.
"""

from __future__ import annotations

import math
from pathlib import Path

import shapely

from overwatch.mission import GeoPoint, MissionGeometry, load_mission
from overwatch.mission.nodes import Field, Section, compose_file
from overwatch.mission.shapes import read_point
from overwatch.mission.units import Kind
from overwatch.scenario.model import (
    OUTLIER_BEARING_DEG,
    THREAT_KINDS,
    BadSentences,
    Detour,
    Dropout,
    ExtraHalt,
    Outlier,
    PatrolScript,
    Scenario,
    SensorModel,
    Threat,
)

SCHEMA_VERSION = 1
#: one burst of bad sentences corrupts at most this many fixes (an hour at one a second)
MAX_BAD_FIXES = 3600


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file and the mission it names; errors are located MissionErrors."""
    file = Path(path)
    root = Field(compose_file(file), "", str(file))
    top = root.mapping(
        ("schema_version", "name", "mission", "seed", "patrol", "threats", "sensor"),
        required=("schema_version", "mission"),
    )
    version = top["schema_version"].integer()
    if version != SCHEMA_VERSION:
        raise top["schema_version"].wrong(f"schema_version {SCHEMA_VERSION}", "unknown version")
    mission_field = top["mission"]
    mission_path = (file.parent / mission_field.text()).resolve()
    if not mission_path.exists():
        raise mission_field.error(
            "the mission file it names does not exist",
            found=str(mission_path),
            expected="a mission YAML path relative to the scenario file",
        )
    mission = load_mission(mission_path)
    geometry = MissionGeometry.of(mission)
    length = geometry.route.length
    name = top["name"].text() if "name" in top else file.stem
    seed = top["seed"].integer(0, 2**31 - 1) if "seed" in top else 1
    patrol = _patrol(top.get("patrol"), length)
    threats = tuple(
        _threat(f, geometry) for f in (top["threats"].items() if "threats" in top else [])
    )
    ids = [t.threat_id for t in threats]
    for f, t in zip(top["threats"].items() if "threats" in top else [], threats, strict=True):
        if ids.count(t.threat_id) > 1:
            raise f.error(f"duplicate threat id '{t.threat_id}'")
    sensor = _sensor(top.get("sensor"))
    return Scenario(name, mission, patrol, threats, sensor, seed, str(file))


def _station(f: Field, length_m: float) -> float:
    s = f.quantity(Kind.LENGTH, minimum=0.0)
    if s > length_m:
        raise f.wrong(
            f"a distance along the route, at most {length_m / 1000:.2f} km", "beyond the end"
        )
    return s


def _patrol(f: Field | None, length_m: float) -> PatrolScript:
    if f is None:
        return PatrolScript()
    sec = f.mapping(
        (
            "late_start",
            "speed_factor",
            "halts",
            "detours",
            "dropouts",
            "outliers",
            "bad_sentences",
        )
    )
    halts = tuple(
        ExtraHalt(_station(h["at"], length_m), h["duration"].quantity(Kind.DURATION, positive=True))
        for h in (
            item.mapping(("at", "duration"), required=("at", "duration"))
            for item in _list(sec, "halts")
        )
    )
    detours = []
    for item in _list(sec, "detours"):
        d = item.mapping(("from", "to", "offset"), required=("from", "to", "offset"))
        start, end = _station(d["from"], length_m), _station(d["to"], length_m)
        if end <= start:
            raise d["to"].wrong("a station after 'from'", "detour ends before it starts")
        detours.append(Detour(start, end, d["offset"].quantity(Kind.LENGTH)))
    dropouts = tuple(
        Dropout(
            d["at"].quantity(Kind.DURATION), d["duration"].quantity(Kind.DURATION, positive=True)
        )
        for d in (
            item.mapping(("at", "duration"), required=("at", "duration"))
            for item in _list(sec, "dropouts")
        )
    )
    factor = 1.0
    if "speed_factor" in sec:
        factor = sec["speed_factor"].number()
        if not (0.1 <= factor <= 5.0):
            raise sec["speed_factor"].wrong("a factor from 0.1 to 5", "out of range")
    late = sec["late_start"].quantity(Kind.DURATION, minimum=0.0) if "late_start" in sec else 0.0
    outliers = tuple(_outlier(item) for item in _list(sec, "outliers"))
    bad = tuple(_bad_sentences(item) for item in _list(sec, "bad_sentences"))
    return PatrolScript(late, factor, halts, tuple(detours), dropouts, outliers, bad)


def _outlier(f: Field) -> Outlier:
    sec = f.mapping(("at", "offset", "bearing"), required=("at", "offset"))
    bearing = OUTLIER_BEARING_DEG
    if "bearing" in sec:
        bearing = sec["bearing"].quantity(Kind.ANGLE)
        if not 0.0 <= bearing < 360.0:
            raise sec["bearing"].wrong(
                "a bearing from 0 up to 360 deg, clockwise from north", "out of range"
            )
    return Outlier(
        sec["at"].quantity(Kind.DURATION, minimum=0.0),
        sec["offset"].quantity(Kind.LENGTH, positive=True),
        bearing,
    )


def _bad_sentences(f: Field) -> BadSentences:
    sec = f.mapping(("at", "count"), required=("at", "count"))
    return BadSentences(
        sec["at"].quantity(Kind.DURATION, minimum=0.0), sec["count"].integer(1, MAX_BAD_FIXES)
    )


def _threat(f: Field, geometry: MissionGeometry) -> Threat:
    sec = f.mapping(
        (
            "id",
            "kind",
            "position",
            "at",
            "offset",
            "appear",
            "disappear",
            "size",
            "moves_to",
            "speed",
        ),
        required=("id", "kind"),
    )
    kind = sec["kind"].choice(THREAT_KINDS, "threat kind")
    if ("position" in sec) == ("at" in sec):
        raise f.error(
            "a threat needs exactly one of 'position' or 'at'",
            expected=(
                "position: {lat, lon}, or at: <distance along the route> with an optional offset"
            ),
        )
    if "position" in sec:
        position = read_point(sec["position"])
    else:
        s = _station(sec["at"], geometry.route.length)
        offset = sec["offset"].quantity(Kind.LENGTH) if "offset" in sec else 0.0
        heading = math.radians(float(geometry.schedule.heading_at_station(s)))
        p = shapely.line_interpolate_point(geometry.route, s)
        x = float(p.x) + offset * math.cos(heading)
        y = float(p.y) - offset * math.sin(heading)
        lat, lon = geometry.frame.to_wgs84(x, y)
        position = GeoPoint(round(lat, 7), round(lon, 7))
    default_size = {"person": 1.8, "vehicle": 4.5, "object": 1.0}[kind]
    return Threat(
        threat_id=str(sec["id"].node.value),
        kind=kind,
        position=position,
        appear_s=sec["appear"].quantity(Kind.DURATION) if "appear" in sec else 0.0,
        disappear_s=sec["disappear"].quantity(Kind.DURATION) if "disappear" in sec else None,
        size_m=sec["size"].quantity(Kind.LENGTH, positive=True) if "size" in sec else default_size,
        moves_to=read_point(sec["moves_to"]) if "moves_to" in sec else None,
        speed_m_s=sec["speed"].quantity(Kind.SPEED, minimum=0.0) if "speed" in sec else 0.0,
    )


def _sensor(f: Field | None) -> SensorModel:
    if f is None:
        return SensorModel()
    sec = f.mapping(("detection_probability", "position_sigma", "look_interval", "max_slant_range"))
    base = SensorModel()
    return SensorModel(
        detection_probability=(
            sec["detection_probability"].quantity(Kind.FRACTION, minimum=0.0, maximum=1.0)
            if "detection_probability" in sec
            else base.detection_probability
        ),
        position_sigma_m=(
            sec["position_sigma"].quantity(Kind.LENGTH, minimum=0.0)
            if "position_sigma" in sec
            else base.position_sigma_m
        ),
        look_interval_s=(
            sec["look_interval"].quantity(Kind.DURATION, positive=True)
            if "look_interval" in sec
            else base.look_interval_s
        ),
        max_slant_range_m=(
            sec["max_slant_range"].quantity(Kind.LENGTH, positive=True)
            if "max_slant_range" in sec
            else base.max_slant_range_m
        ),
    )


def _list(sec: Section, key: str) -> list[Field]:
    return sec[key].items() if key in sec else []
