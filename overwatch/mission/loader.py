"""Load a mission file (YAML, ``schema_version: 1``) into the mission model.

The format is documented in ``docs/mission-format.md``. Every mistake is a
:class:`~overwatch.errors.MissionError` naming the file, line, column and
field, what was found and what was expected; quantities are converted to SI
once, here.

>>> from overwatch.mission import load_mission
>>> mission = load_mission("missions/vehicle-patrol.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shapely.geometry import LineString, Point

from overwatch.geo import LocalFrame
from overwatch.geo.terrain import Terrain, TerrainError
from overwatch.mission.checks import MissionWarning, check_mission
from overwatch.mission.model import (
    SCHEMA_VERSION,
    STRATEGIES,
    Airspace,
    Border,
    BoundingParams,
    Camera,
    EscortParams,
    FollowBaseline,
    GeoPoint,
    Halt,
    KeepOut,
    Launch,
    LeadParams,
    Mission,
    Overwatch,
    Patrol,
    StaticParams,
    StrategyName,
    Vehicle,
)
from overwatch.mission.nodes import Field, Section, compose_file
from overwatch.mission.shapes import Line, read_line, read_point, read_points, read_polygon
from overwatch.mission.units import Kind

#: how far from the route a halt given as a point may lie before it is an error
HALT_SNAP_TOLERANCE_M = 250.0

LENGTH, SPEED, DURATION, ANGLE, FRACTION = (
    Kind.LENGTH,
    Kind.SPEED,
    Kind.DURATION,
    Kind.ANGLE,
    Kind.FRACTION,
)


@dataclass(frozen=True)
class MissionLoadResult:
    """A loaded mission and the warnings worth showing (nothing fatal)."""

    mission: Mission
    warnings: tuple[MissionWarning, ...]


def load_mission(path: str | Path) -> Mission:
    """Read, check and convert the mission file at ``path``; raise MissionError when wrong."""
    return read_mission(path).mission


def read_mission(path: str | Path) -> MissionLoadResult:
    """Like :func:`load_mission`, and also return the warnings (route near the border, …)."""
    file = Path(path)
    root = Field(compose_file(file), "", str(file))
    return _MissionReader(file).read(root)


class _MissionReader:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.base_dir = file.resolve().parent

    def read(self, root: Field) -> MissionLoadResult:
        # the version first: a newer file may well have keys this reader does not know
        self._check_version(root)
        top = root.mapping(
            (
                "schema_version",
                "name",
                "description",
                "patrol",
                "vehicle",
                "launch",
                "airspace",
                "overwatch",
                "terrain",
            ),
        )
        for key in ("patrol", "vehicle", "launch"):
            if key not in top:
                raise root.error(
                    f"missing required section '{key}'",
                    expected="sections patrol, vehicle and launch",
                )
        name = top["name"].text() if "name" in top else self.file.stem
        description = top["description"].text() if "description" in top else ""

        patrol_sec = top["patrol"].mapping(
            ("callsign", "kind", "start", "speed", "legs", "route", "halts"),
            required=("callsign", "start", "speed", "route"),
        )
        route = read_line(patrol_sec["route"], self.base_dir)
        vehicle = self._vehicle(top["vehicle"])
        launch = self._launch(top["launch"], route)
        airspace = self._airspace(top["airspace"]) if "airspace" in top else Airspace()
        overwatch = self._overwatch(top["overwatch"]) if "overwatch" in top else Overwatch()
        # the very frame MissionGeometry.of picks, so halt stations match its schedule
        frame = LocalFrame.around(
            [p.as_tuple() for p in route.points]
            + [launch.site.as_tuple()]
            + [p.as_tuple() for p in airspace.keep_in or ()]
        )
        patrol = self._patrol(patrol_sec, route, frame)
        mission = Mission(
            name=name,
            patrol=patrol,
            vehicle=vehicle,
            launch=launch,
            airspace=airspace,
            overwatch=overwatch,
            description=description,
            schema_version=SCHEMA_VERSION,
            source=str(self.file),
            terrain_path=self._terrain(top["terrain"]) if "terrain" in top else None,
        )
        warnings = check_mission(mission, top, route)
        return MissionLoadResult(mission, warnings)

    def _check_version(self, root: Field) -> None:
        expected = f"schema_version: {SCHEMA_VERSION}"
        if not root.is_mapping:
            raise root.wrong("a mapping of sections, starting with " + expected)
        f = next(
            (
                root.child(v, "schema_version")
                for k, v in root.node.value
                if k.value == "schema_version"
            ),
            None,
        )
        if f is None:
            raise root.error(
                "missing required key 'schema_version' (put it first in the file)",
                expected=expected,
            )
        version = f.integer()
        if version != SCHEMA_VERSION:
            raise f.error(
                f"unsupported schema version {version}: this Overwatch reads version "
                f"{SCHEMA_VERSION} only",
                found=str(version),
                expected=expected,
            )

    # -- terrain -------------------------------------------------------------------

    def _terrain(self, f: Field) -> str:
        """The elevation raster's absolute path; it is opened once here to check it."""
        file_f = f.mapping(("file",), required=("file",))["file"]
        source = (self.base_dir / file_f.text()).resolve()
        if not source.is_file():
            raise file_f.error(
                "terrain file not found",
                found=str(source),
                expected="an existing single-band GeoTIFF elevation raster",
            )
        try:
            Terrain.open(source)
        except TerrainError as exc:
            raise file_f.error(
                f"unusable terrain file {source.name}: {exc.message}",
                expected="a single-band GeoTIFF of heights above mean sea level",
            ) from None
        return str(source)

    # -- patrol --------------------------------------------------------------------

    def _patrol(self, sec: Section, route: Line, frame: LocalFrame) -> Patrol:
        kind = sec["kind"].choice(("vehicle", "foot"), "patrol kind") if "kind" in sec else None
        speed = sec["speed"].quantity(SPEED, positive=True)
        legs = len(route.points) - 1
        leg_speeds = self._legs(sec["legs"], legs, speed) if "legs" in sec else (speed,) * legs
        line_m = frame.line([p.as_tuple() for p in route.points])
        if line_m.length <= 0.0:
            raise route.field.error(
                "the route has zero length: all its points are the same",
                expected="a route along which the patrol moves",
            )
        halts = self._halts(sec["halts"], line_m, frame) if "halts" in sec else ()
        return Patrol(
            callsign=sec["callsign"].text(),
            route=route.points,
            speed_m_s=speed,
            leg_speeds_m_s=leg_speeds,
            halts=halts,
            start_time=sec["start"].timestamp(),
            kind="foot" if kind == "foot" else "vehicle",
        )

    def _legs(self, f: Field, n_legs: int, speed: float) -> tuple[float, ...]:
        speeds: list[float | None] = [None] * n_legs
        for item in f.items():
            sec = item.mapping(("from", "to", "speed"), required=("from", "to", "speed"))
            start = sec["from"].integer(0, n_legs - 1)
            end = sec["to"].integer(1, n_legs)
            if end <= start:
                raise sec["to"].error(
                    "a leg range must run forward along the route",
                    found=f"from {start} to {end}",
                    expected=f"'to' greater than 'from' (route points 0 to {n_legs})",
                )
            value = sec["speed"].quantity(SPEED, positive=True)
            for leg in range(start, end):
                if speeds[leg] is not None:
                    raise item.error(
                        f"leg {leg} (route point {leg} to {leg + 1}) is given a speed twice",
                        expected="leg ranges that do not overlap",
                    )
                speeds[leg] = value
        return tuple(speed if s is None else s for s in speeds)

    def _halts(self, f: Field, line_m: LineString, frame: LocalFrame) -> tuple[Halt, ...]:
        length = float(line_m.length)
        halts: list[Halt] = []
        for item in f.items():
            sec = item.mapping(("name", "at", "duration"), required=("at", "duration"))
            at_f = sec["at"]
            if at_f.is_mapping or at_f.is_sequence:
                point = read_point(at_f)
                xy = Point(frame.to_local(point.lat_deg, point.lon_deg))
                off_m = float(line_m.distance(xy))
                if off_m > HALT_SNAP_TOLERANCE_M:
                    raise at_f.error(
                        "the halt point is too far from the route to snap onto it",
                        found=f"{off_m:.0f} m from the route",
                        expected=f"within {HALT_SNAP_TOLERANCE_M:.0f} m of the route",
                    )
                at_m = float(line_m.project(xy))
            else:
                at_m = at_f.quantity(LENGTH, minimum=0.0)
                if at_m > length + 1e-6:
                    raise at_f.error(
                        "the halt lies beyond the end of the route",
                        found=f"{at_m:.0f} m along the route",
                        expected=f"at most the route's length, {length:.0f} m",
                    )
            halts.append(
                Halt(
                    at_m=at_m,
                    duration_s=sec["duration"].quantity(DURATION, positive=True),
                    name=sec["name"].text() if "name" in sec else "",
                )
            )
        return tuple(sorted(halts, key=lambda h: h.at_m))

    # -- vehicle -------------------------------------------------------------------

    def _vehicle(self, f: Field) -> Vehicle:
        sec = f.mapping(
            (
                "name",
                "sysid",
                "cruise_speed",
                "max_speed",
                "climb_rate",
                "descent_rate",
                "endurance",
                "reserve",
                "turnaround",
                "camera",
            ),
            required=("name", "cruise_speed", "max_speed", "endurance"),
        )
        cruise = sec["cruise_speed"].quantity(SPEED, positive=True)
        top = sec["max_speed"].quantity(SPEED, positive=True)
        if cruise > top:
            raise sec["cruise_speed"].error(
                "the cruise speed exceeds the maximum speed",
                found=f"cruise {cruise:g} m/s > max {top:g} m/s",
                expected="cruise_speed ≤ max_speed",
            )
        reserve = 0.2
        if "reserve" in sec:
            reserve = sec["reserve"].quantity(FRACTION, minimum=0.0)
            if reserve >= 1.0:
                raise sec["reserve"].error(
                    "the reserve leaves no flight time",
                    found=f"{reserve * 100:g} %",
                    expected="a reserve below 100 %, e.g. '20 %'",
                )
        return Vehicle(
            name=sec["name"].text(),
            sysid=sec["sysid"].integer(1, 255) if "sysid" in sec else 1,
            cruise_speed_m_s=cruise,
            max_speed_m_s=top,
            climb_rate_m_s=_opt(sec, "climb_rate", SPEED, 2.5, positive=True),
            descent_rate_m_s=_opt(sec, "descent_rate", SPEED, 1.5, positive=True),
            endurance_s=sec["endurance"].quantity(DURATION, positive=True),
            reserve_fraction=reserve,
            camera=self._camera(sec["camera"]) if "camera" in sec else Camera(),
            turnaround_s=_opt(sec, "turnaround", DURATION, 300.0, minimum=0.0),
        )

    def _camera(self, f: Field) -> Camera:
        sec = f.mapping(("hfov", "vfov", "gimbal_pitch", "resolution"))
        default = Camera()
        width, height = default.width_px, default.height_px
        if "resolution" in sec:
            width, height = _resolution(sec["resolution"])
        return Camera(
            hfov_deg=_opt(sec, "hfov", ANGLE, default.hfov_deg, positive=True, maximum=179.0),
            vfov_deg=_opt(sec, "vfov", ANGLE, default.vfov_deg, positive=True, maximum=179.0),
            gimbal_pitch_deg=_opt(
                sec, "gimbal_pitch", ANGLE, default.gimbal_pitch_deg, minimum=-90.0, maximum=30.0
            ),
            width_px=width,
            height_px=height,
        )

    # -- launch and airspace -------------------------------------------------------

    def _launch(self, f: Field, route: Line) -> Launch:
        sec = f.mapping(("site", "alt_msl", "rally"), required=("site",))
        site_f = sec["site"]
        with_patrol = not (site_f.is_mapping or site_f.is_sequence)
        if with_patrol:
            if not site_f.is_null and site_f.node.value != "with_patrol":
                raise site_f.wrong("'with_patrol' or a point {lat, lon}", "unknown launch site")
            if site_f.is_null:
                raise site_f.wrong("'with_patrol' or a point {lat, lon}", "missing launch site")
            site = route.points[0]
        else:
            site = read_point(site_f)
        return Launch(
            site=site,
            with_patrol=with_patrol,
            rally=read_points(sec["rally"]) if "rally" in sec else (),
            alt_msl_m=_opt(sec, "alt_msl", LENGTH, 0.0, minimum=-500.0, maximum=9000.0),
        )

    def _airspace(self, f: Field) -> Airspace:
        sec = f.mapping(("keep_in", "keep_out", "border", "altitude"))
        default = Airspace()
        keep_outs: list[KeepOut] = []
        names: set[str] = set()
        for item in sec["keep_out"].items() if "keep_out" in sec else []:
            ko = item.mapping(("name", "polygon"), required=("name", "polygon"))
            name = ko["name"].text()
            if name in names:
                raise ko["name"].error(
                    f"two keep-out areas are named '{name}'", expected="unique names"
                )
            names.add(name)
            keep_outs.append(KeepOut(name, read_polygon(ko["polygon"])))
        lo, hi = default.min_alt_agl_m, default.max_alt_agl_m
        if "altitude" in sec:
            alt = sec["altitude"].mapping(("min", "max"))
            lo = _opt(alt, "min", LENGTH, lo, minimum=0.0)
            hi = _opt(alt, "max", LENGTH, hi, positive=True)
            if lo >= hi:
                raise alt.field.error(
                    "the altitude band is empty",
                    found=f"min {lo:g} m ≥ max {hi:g} m",
                    expected="min < max",
                )
        return Airspace(
            keep_in=read_polygon(sec["keep_in"]) if "keep_in" in sec else None,
            keep_out=tuple(keep_outs),
            border=self._border(sec["border"]) if "border" in sec else None,
            min_alt_agl_m=lo,
            max_alt_agl_m=hi,
        )

    def _border(self, f: Field) -> Border:
        sec = f.mapping(("name", "line", "buffer"), required=("line", "buffer"))
        return Border(
            name=sec["name"].text() if "name" in sec else "border",
            line=read_line(sec["line"], self.base_dir).points,
            buffer_m=sec["buffer"].quantity(LENGTH, minimum=0.0),
        )

    # -- overwatch -----------------------------------------------------------------

    def _overwatch(self, f: Field) -> Overwatch:
        sec = f.mapping(
            (
                "strategy",
                "altitude",
                "corridor_width",
                "lead_min",
                "lead_max",
                "lead",
                "escort",
                "bounding",
                "static",
                "baseline",
            )
        )
        default = Overwatch()
        strategy: StrategyName = default.strategy
        if "strategy" in sec:
            chosen = sec["strategy"].choice(STRATEGIES, "strategy")
            strategy = next(s for s in STRATEGIES if s == chosen)
        lead_min = _opt(sec, "lead_min", DURATION, default.lead_min_s, minimum=0.0)
        lead_max = _opt(sec, "lead_max", DURATION, default.lead_max_s, positive=True)
        if lead_min >= lead_max:
            where = sec.get("lead_min") or sec.get("lead_max") or sec.field
            raise where.error(
                "the lead window is empty",
                found=f"lead_min {lead_min:g} s ≥ lead_max {lead_max:g} s",
                expected="lead_min < lead_max",
            )
        lead = LeadParams()
        if "lead" in sec:
            block = sec["lead"].mapping(("target_lead",))
            if "target_lead" in block:
                target = block["target_lead"].quantity(DURATION, positive=True)
                if not lead_min <= target <= lead_max:
                    raise block["target_lead"].error(
                        "the target lead lies outside the lead window",
                        found=f"{target:g} s",
                        expected=f"between lead_min {lead_min:g} s and lead_max {lead_max:g} s",
                    )
                lead = LeadParams(target_lead_s=target)
        return Overwatch(
            strategy=strategy,
            altitude_agl_m=_opt(sec, "altitude", LENGTH, default.altitude_agl_m, positive=True),
            corridor_width_m=_opt(
                sec, "corridor_width", LENGTH, default.corridor_width_m, positive=True
            ),
            lead_min_s=lead_min,
            lead_max_s=lead_max,
            lead=lead,
            escort=self._escort(sec["escort"]) if "escort" in sec else EscortParams(),
            bounding=self._bounding(sec["bounding"]) if "bounding" in sec else BoundingParams(),
            static=self._static(sec["static"]) if "static" in sec else StaticParams(),
            baseline=self._baseline(sec["baseline"]) if "baseline" in sec else FollowBaseline(),
        )

    def _escort(self, f: Field) -> EscortParams:
        sec, d = f.mapping(("radius", "ahead")), EscortParams()
        return EscortParams(
            radius_m=_opt(sec, "radius", LENGTH, d.radius_m, positive=True),
            ahead_s=_opt(sec, "ahead", DURATION, d.ahead_s, minimum=0.0),
        )

    def _bounding(self, f: Field) -> BoundingParams:
        sec, d = f.mapping(("standoff", "hop")), BoundingParams()
        return BoundingParams(
            standoff_m=_opt(sec, "standoff", LENGTH, d.standoff_m, minimum=0.0),
            hop_m=_opt(sec, "hop", LENGTH, d.hop_m, positive=True),
        )

    def _static(self, f: Field) -> StaticParams:
        sec = f.mapping(("site", "orbit_radius", "duration"))
        site: GeoPoint | None = read_point(sec["site"]) if "site" in sec else None
        duration = sec["duration"].quantity(DURATION, positive=True) if "duration" in sec else None
        return StaticParams(
            site=site,
            orbit_radius_m=_opt(sec, "orbit_radius", LENGTH, 0.0, minimum=0.0),
            duration_s=duration,
        )

    def _baseline(self, f: Field) -> FollowBaseline:
        sec, d = f.mapping(("offset_ahead", "offset_right")), FollowBaseline()
        return FollowBaseline(
            offset_ahead_m=_opt(sec, "offset_ahead", LENGTH, d.offset_ahead_m),
            offset_right_m=_opt(sec, "offset_right", LENGTH, d.offset_right_m),
        )


def _opt(
    sec: Section,
    key: str,
    kind: Kind,
    default: float,
    *,
    positive: bool = False,
    minimum: float | None = None,
    maximum: float | None = None,
) -> float:
    """An optional quantity: ``default`` (SI) when the key is absent."""
    f = sec.get(key)
    if f is None:
        return default
    return f.quantity(kind, positive=positive, minimum=minimum, maximum=maximum)


def _resolution(f: Field) -> tuple[int, int]:
    expected = "a resolution such as '1280x720' or [1280, 720] (pixels)"
    if f.is_sequence and len(f.items()) == 2:
        width, height = (item.integer(1, 100_000) for item in f.items())
        return width, height
    text = f.text() if not f.is_sequence and not f.is_mapping else ""
    parts = text.lower().replace("×", "x").replace(" ", "").split("x")
    if len(parts) == 2 and all(p.isdigit() and int(p) > 0 for p in parts):
        return int(parts[0]), int(parts[1])
    raise f.wrong(expected, "bad resolution")


__all__ = ["MissionLoadResult", "MissionWarning", "load_mission", "read_mission"]
