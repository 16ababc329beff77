"""Load a mission file (YAML, ``schema_version: 1``) into the mission model.

The format is documented in ``docs/mission-format.md``. Every mistake is a
:class:`~overwatch.errors.MissionError` naming the file, line, column and
field, what was found and what was expected; quantities are converted to SI
once, here.

>>> from overwatch.mission import load_mission
>>> mission = load_mission("missions/vehicle-patrol.yaml")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from shapely.geometry import LineString, Point

from overwatch.errors import AlreadyReported, MissionError, TerrainError
from overwatch.geo import LocalFrame
from overwatch.geo.terrain import Terrain
from overwatch.mission.areas import AREA_EXTENSIONS, read_area_file
from overwatch.mission.checks import MissionWarning, check_mission
from overwatch.mission.model import (
    RECOVERIES,
    RELIEF_MODES,
    SCHEMA_VERSION,
    STRATEGIES,
    Airspace,
    Border,
    BoundingParams,
    Camera,
    Drone,
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
    RecoveryName,
    ReliefMode,
    ReliefParams,
    StaticParams,
    StrategyName,
    Vehicle,
)
from overwatch.mission.nodes import (
    Field,
    Section,
    collecting_errors,
    compose_file,
    raise_all,
    report,
)
from overwatch.mission.shapes import Line, read_line, read_point, read_points, read_polygon
from overwatch.mission.units import Kind

#: how far from the route a halt given as a point may lie before it is an error
HALT_SNAP_TOLERANCE_M = 250.0

_SECTIONS = "sections patrol, vehicle (or vehicles) and launch"
_VEHICLE_KEYS = (
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
)
_VEHICLE_REQUIRED = ("name", "cruise_speed", "max_speed", "endurance")

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
    """Like :func:`load_mission`, and also return the warnings (route near the border, …).

    Every mistake in the file is reported in one go: several become one
    :class:`~overwatch.errors.MissionErrors`, sorted by line. The checks
    across sections (route against border, launch site against keep-outs …)
    run once every section reads cleanly.
    """
    file = Path(path)
    root = Field(compose_file(file), "", str(file))
    with collecting_errors() as errors:
        reader = _MissionReader(file, errors)
        try:
            mission, top, route = reader.read(root)
        except AlreadyReported:
            mission = top = route = None
        except MissionError as exc:
            errors.append(exc)
            mission = top = route = None
        raise_all(errors)
    if mission is None or top is None or route is None:  # a part failed without saying why
        raise MissionError("the mission file could not be read", file=str(file))
    warnings = check_mission(mission, top, route)
    return MissionLoadResult(mission, warnings)


T = TypeVar("T")


class _MissionReader:
    def __init__(self, file: Path, errors: list[MissionError]) -> None:
        self.file = file
        self.base_dir = file.resolve().parent
        self.errors = errors

    def attempt(self, read: Callable[..., T], *args: Any) -> T | None:
        """``read(*args)``, or None with its errors recorded."""
        try:
            return read(*args)
        except MissionError as exc:
            self.errors.append(exc)
        except AlreadyReported:
            pass
        return None

    def q(
        self,
        sec: Section,
        key: str,
        kind: Kind,
        default: float | None = None,
        **limits: Any,
    ) -> float | None:
        """A quantity (``default`` when absent), or None with its error recorded."""
        f = sec.get(key)
        if f is None:
            return default
        return self.attempt(lambda: f.quantity(kind, **limits))

    def read(self, root: Field) -> tuple[Mission | None, Section | None, Line | None]:
        # the version first: a newer file may well have keys this reader does not know
        self._check_version(root)
        top = root.mapping(
            (
                "schema_version",
                "name",
                "description",
                "patrol",
                "vehicle",
                "vehicles",
                "launch",
                "airspace",
                "overwatch",
                "terrain",
            ),
        )
        if "patrol" not in top:
            report(root.error("missing required section 'patrol'", expected=_SECTIONS))
        if "vehicle" in top and "vehicles" in top:
            report(
                top["vehicles"].error(
                    "both 'vehicle' and 'vehicles' are given",
                    found=f"vehicle at line {top['vehicle'].line}",
                    expected="one drone under 'vehicle', or a list of them under 'vehicles'",
                )
            )
        elif "vehicle" not in top and "vehicles" not in top:
            report(root.error("missing required section 'vehicle'", expected=_SECTIONS))
            if "launch" not in top:
                report(root.error("missing required section 'launch'", expected=_SECTIONS))
        name = self.attempt(top["name"].text) if "name" in top else self.file.stem
        description = self.attempt(top["description"].text) if "description" in top else ""

        patrol_sec = route = None
        if "patrol" in top:
            patrol_sec = self.attempt(
                top["patrol"].mapping,
                ("callsign", "kind", "start", "speed", "legs", "route", "halts"),
                ("callsign", "start", "speed", "route"),
            )
        if patrol_sec is not None:
            route = self.attempt(read_line, patrol_sec["route"], self.base_dir)
        launch = self.attempt(self._launch, top["launch"], route) if "launch" in top else None
        drones: list[Drone] | None = None
        if "vehicles" in top and "vehicle" not in top:
            drones = self.attempt(self._team, top["vehicles"], route, launch, "launch" in top)
        elif "vehicle" in top:
            vehicle = self.attempt(self._vehicle, top["vehicle"])
            if "launch" not in top:
                report(root.error("missing required section 'launch'", expected=_SECTIONS))
            elif vehicle is not None and launch is not None:
                drones = [Drone(vehicle, launch)]
        airspace = self.attempt(self._airspace, top["airspace"]) if "airspace" in top else None
        count = len(drones) if drones is not None else None
        overwatch = (
            self.attempt(self._overwatch, top["overwatch"], count) if "overwatch" in top else None
        )
        terrain = self.attempt(self._terrain, top["terrain"]) if "terrain" in top else None
        patrol = None
        if patrol_sec is not None:
            sites = [d.launch.site for d in drones or ()] or ([launch.site] if launch else [])
            patrol = self.attempt(self._patrol, patrol_sec, route, sites, airspace)
        if self.errors or None in (name, description, drones, patrol, route):
            return None, None, None
        if ("airspace" in top and airspace is None) or ("overwatch" in top and overwatch is None):
            return None, None, None
        if "terrain" in top and terrain is None:
            return None, None, None
        assert name is not None and description is not None and patrol is not None
        assert drones is not None
        mission = Mission(
            name=name,
            patrol=patrol,
            vehicle=drones[0].vehicle,
            launch=drones[0].launch,
            airspace=airspace or Airspace(),
            overwatch=overwatch or Overwatch(),
            description=description,
            schema_version=SCHEMA_VERSION,
            source=str(self.file),
            terrain_path=terrain,
            extra_drones=tuple(drones[1:]),
        )
        return mission, top, route

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

    def _patrol(
        self,
        sec: Section,
        route: Line | None,
        sites: list[GeoPoint],
        airspace: Airspace | None,
    ) -> Patrol:
        kind = (
            self.attempt(sec["kind"].choice, ("vehicle", "foot"), "patrol kind")
            if "kind" in sec
            else "vehicle"
        )
        speed = self.q(sec, "speed", SPEED, positive=True)
        callsign = self.attempt(sec["callsign"].text)
        start_time = self.attempt(sec["start"].timestamp)
        if route is None:
            raise AlreadyReported  # legs and halts are read against the route
        # the very frame MissionGeometry.of picks, so halt stations match its schedule (a
        # broken launch section leaves the mission unbuilt: its frame then only checks)
        frame = LocalFrame.around(
            [p.as_tuple() for p in route.points]
            + [p.as_tuple() for p in sites]
            + [p.as_tuple() for p in (airspace.keep_in if airspace else None) or ()]
        )
        line_m = frame.line([p.as_tuple() for p in route.points])
        if line_m.length <= 0.0:
            raise route.field.error(
                "the route has zero length: all its points are the same",
                expected="a route along which the patrol moves",
            )
        legs = len(route.points) - 1
        leg_speeds: tuple[float, ...] | None = None
        if speed is not None:
            leg_speeds = (
                self.attempt(self._legs, sec["legs"], legs, speed)
                if "legs" in sec
                else (speed,) * legs
            )
        halts = self.attempt(self._halts, sec["halts"], line_m, frame) if "halts" in sec else ()
        if None in (kind, speed, callsign, start_time, leg_speeds, halts):
            raise AlreadyReported
        assert callsign is not None and speed is not None and start_time is not None
        assert leg_speeds is not None and halts is not None
        return Patrol(
            callsign=callsign,
            route=route.points,
            speed_m_s=speed,
            leg_speeds_m_s=leg_speeds,
            halts=halts,
            start_time=start_time,
            kind="foot" if kind == "foot" else "vehicle",
        )

    def _legs(self, f: Field, n_legs: int, speed: float) -> tuple[float, ...]:
        speeds: list[float | None] = [None] * n_legs
        failed = False
        for item in f.items():
            leg = self.attempt(self._leg, item, n_legs)
            if leg is None:
                failed = True
                continue
            start, end, value = leg
            for i in range(start, end):
                if speeds[i] is not None:
                    report(
                        item.error(
                            f"leg {i} (route point {i} to {i + 1}) is given a speed twice",
                            expected="leg ranges that do not overlap",
                        )
                    )
                    failed = True
                    break
                speeds[i] = value
        if failed:
            raise AlreadyReported
        return tuple(speed if s is None else s for s in speeds)

    def _leg(self, item: Field, n_legs: int) -> tuple[int, int, float]:
        sec = item.mapping(("from", "to", "speed"), required=("from", "to", "speed"))
        start = self.attempt(sec["from"].integer, 0, n_legs - 1)
        end = self.attempt(sec["to"].integer, 1, n_legs)
        value = self.q(sec, "speed", SPEED, positive=True)
        if start is not None and end is not None and end <= start:
            raise sec["to"].error(
                "a leg range must run forward along the route",
                found=f"from {start} to {end}",
                expected=f"'to' greater than 'from' (route points 0 to {n_legs})",
            )
        if start is None or end is None or value is None:
            raise AlreadyReported
        return start, end, value

    def _halts(self, f: Field, line_m: LineString, frame: LocalFrame) -> tuple[Halt, ...]:
        halts = [self.attempt(self._halt, item, line_m, frame) for item in f.items()]
        kept = [h for h in halts if h is not None]
        if len(kept) != len(halts):
            raise AlreadyReported
        return tuple(sorted(kept, key=lambda h: h.at_m))

    def _halt(self, item: Field, line_m: LineString, frame: LocalFrame) -> Halt:
        length = float(line_m.length)
        sec = item.mapping(("name", "at", "duration"), required=("at", "duration"))
        duration = self.q(sec, "duration", DURATION, positive=True)
        name = self.attempt(sec["name"].text) if "name" in sec else ""
        at_f = sec["at"]
        at_m: float | None
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
            at_m = self.attempt(lambda: at_f.quantity(LENGTH, minimum=0.0))
            if at_m is not None and at_m > length + 1e-6:
                raise at_f.error(
                    "the halt lies beyond the end of the route",
                    found=f"{at_m:.0f} m along the route",
                    expected=f"at most the route's length, {length:.0f} m",
                )
        if at_m is None or duration is None or name is None:
            raise AlreadyReported
        return Halt(at_m=at_m, duration_s=duration, name=name)

    # -- vehicle -------------------------------------------------------------------

    def _team(
        self, f: Field, route: Line | None, default: Launch | None, has_default: bool
    ) -> list[Drone]:
        """``vehicles:``: one or more drones, each with its own launch or the mission's."""
        if not f.is_sequence or not f.items():
            raise f.wrong("a list of one or more vehicles (name, sysid, speeds, …)")
        drones: list[Drone | None] = []
        names: dict[str, Field] = {}
        sysids: dict[int, Field] = {}
        for item in f.items():
            read = self.attempt(self._team_member, item, route, default, has_default)
            drones.append(read if read is None else read[0])
            if read is None:
                continue
            drone, sec = read
            name, sysid = drone.vehicle.name, drone.vehicle.sysid
            name_f, sysid_f = sec["name"], sec.get("sysid") or item
            if name in names:
                report(
                    name_f.error(
                        f"two vehicles are named '{name}'",
                        found=f"'{name}' also at line {names[name].line}",
                        expected="a unique name per vehicle",
                    )
                )
            if sysid in sysids:
                report(
                    sysid_f.error(
                        f"two vehicles have MAVLink system id {sysid}",
                        found=f"sysid {sysid} also at line {sysids[sysid].line}",
                        expected="a unique sysid per vehicle (1..255; the default is 1)",
                    )
                )
            names.setdefault(name, name_f)
            sysids.setdefault(sysid, sysid_f)
        if any(d is None for d in drones):
            raise AlreadyReported
        return [d for d in drones if d is not None]

    def _team_member(
        self, item: Field, route: Line | None, default: Launch | None, has_default: bool
    ) -> tuple[Drone, Section]:
        sec = item.mapping((*_VEHICLE_KEYS, "launch"), required=_VEHICLE_REQUIRED)
        vehicle = self.attempt(self._vehicle_of, sec)
        launch = default
        if "launch" in sec:
            launch = self.attempt(self._launch, sec["launch"], route)
        elif not has_default:
            raise item.error(
                "this vehicle has no launch site",
                expected="a 'launch' section for the mission, or one under this vehicle",
            )
        if vehicle is None or launch is None:
            raise AlreadyReported
        return Drone(vehicle, launch), sec

    def _vehicle(self, f: Field) -> Vehicle:
        return self._vehicle_of(f.mapping(_VEHICLE_KEYS, required=_VEHICLE_REQUIRED))

    def _vehicle_of(self, sec: Section) -> Vehicle:
        name = self.attempt(sec["name"].text)
        sysid = self.attempt(sec["sysid"].integer, 1, 255) if "sysid" in sec else 1
        cruise = self.q(sec, "cruise_speed", SPEED, positive=True)
        top = self.q(sec, "max_speed", SPEED, positive=True)
        if cruise is not None and top is not None and cruise > top:
            report(
                sec["cruise_speed"].error(
                    "the cruise speed exceeds the maximum speed",
                    found=f"cruise {cruise:g} m/s > max {top:g} m/s",
                    expected="cruise_speed ≤ max_speed",
                )
            )
        reserve = self.q(sec, "reserve", FRACTION, 0.2, minimum=0.0)
        if "reserve" in sec and reserve is not None and reserve >= 1.0:
            report(
                sec["reserve"].error(
                    "the reserve leaves no flight time",
                    found=f"{reserve * 100:g} %",
                    expected="a reserve below 100 %, e.g. '20 %'",
                )
            )
            reserve = None
        climb = self.q(sec, "climb_rate", SPEED, 2.5, positive=True)
        descent = self.q(sec, "descent_rate", SPEED, 1.5, positive=True)
        endurance = self.q(sec, "endurance", DURATION, positive=True)
        turnaround = self.q(sec, "turnaround", DURATION, 300.0, minimum=0.0)
        camera = self.attempt(self._camera, sec["camera"]) if "camera" in sec else Camera()
        values = (name, sysid, cruise, top, reserve, climb, descent, endurance, turnaround, camera)
        if None in values or (cruise is not None and top is not None and cruise > top):
            raise AlreadyReported
        assert name is not None and sysid is not None and camera is not None
        assert cruise is not None and top is not None and reserve is not None
        assert climb is not None and descent is not None and endurance is not None
        assert turnaround is not None
        return Vehicle(
            name=name,
            sysid=sysid,
            cruise_speed_m_s=cruise,
            max_speed_m_s=top,
            climb_rate_m_s=climb,
            descent_rate_m_s=descent,
            endurance_s=endurance,
            reserve_fraction=reserve,
            camera=camera,
            turnaround_s=turnaround,
        )

    def _camera(self, f: Field) -> Camera:
        sec = f.mapping(("hfov", "vfov", "gimbal_pitch", "resolution"))
        d = Camera()
        size = (
            self.attempt(_resolution, sec["resolution"])
            if "resolution" in sec
            else (d.width_px, d.height_px)
        )
        hfov = self.q(sec, "hfov", ANGLE, d.hfov_deg, positive=True, maximum=179.0)
        vfov = self.q(sec, "vfov", ANGLE, d.vfov_deg, positive=True, maximum=179.0)
        pitch = self.q(sec, "gimbal_pitch", ANGLE, d.gimbal_pitch_deg, minimum=-90.0, maximum=30.0)
        if size is None or hfov is None or vfov is None or pitch is None:
            raise AlreadyReported
        return Camera(
            hfov_deg=hfov,
            vfov_deg=vfov,
            gimbal_pitch_deg=pitch,
            width_px=size[0],
            height_px=size[1],
        )

    # -- launch and airspace -------------------------------------------------------

    def _launch(self, f: Field, route: Line | None) -> Launch:
        sec = f.mapping(("site", "alt_msl", "rally", "recovery"), required=("site",))
        site_f = sec["site"]
        with_patrol = not (site_f.is_mapping or site_f.is_sequence)
        site: GeoPoint | None = None
        if with_patrol:
            if not site_f.is_null and site_f.node.value != "with_patrol":
                report(site_f.wrong("'with_patrol' or a point {lat, lon}", "unknown launch site"))
            elif site_f.is_null:
                report(site_f.wrong("'with_patrol' or a point {lat, lon}", "missing launch site"))
            elif route is not None:
                site = route.points[0]
        else:
            site = self.attempt(read_point, site_f)
        rally = self.attempt(read_points, sec["rally"]) if "rally" in sec else ()
        alt = self.q(sec, "alt_msl", LENGTH, 0.0, minimum=-500.0, maximum=9000.0)
        recovery: RecoveryName | None = None
        if "recovery" in sec:
            chosen = self.attempt(sec["recovery"].choice, RECOVERIES, "recovery")
            recovery = next((r for r in RECOVERIES if r == chosen), None)
            if recovery == "rally" and rally == ():
                report(sec["recovery"].wrong("rally points under launch.rally", "no rally point"))
        if site is None or rally is None or alt is None:
            raise AlreadyReported
        return Launch(
            site=site, with_patrol=with_patrol, rally=rally, alt_msl_m=alt, recovery=recovery
        )

    def _airspace(self, f: Field) -> Airspace:
        sec = f.mapping(("keep_in", "keep_out", "border", "altitude"))
        default = Airspace()
        keep_in: tuple[GeoPoint, ...] | None = None
        keep_outs: list[_NamedArea] = []
        failed = False
        if "keep_in" in sec:
            area = self.attempt(self._keep_in, sec["keep_in"])
            if area is None:
                failed = True
            else:
                keep_in, holes = area
                keep_outs.extend(holes)
        if "keep_out" in sec:
            read = self.attempt(self._keep_outs, sec["keep_out"])
            if read is None:
                failed = True
            else:
                keep_outs.extend(read)
        names: dict[str, _NamedArea] = {}
        for ko in keep_outs:
            if ko.name in names:
                report(
                    (ko.field or sec["keep_out"]).error(
                        f"two keep-out areas are named '{ko.name}'",
                        found=f"'{ko.name}' also {names[ko.name].where or 'given before'}",
                        expected="unique names",
                    )
                )
                failed = True
            names[ko.name] = ko
        lo: float | None = default.min_alt_agl_m
        hi: float | None = default.max_alt_agl_m
        if "altitude" in sec:
            alt = self.attempt(sec["altitude"].mapping, ("min", "max"))
            if alt is None:
                lo = hi = None
            else:
                lo = self.q(alt, "min", LENGTH, lo, minimum=0.0)
                hi = self.q(alt, "max", LENGTH, hi, positive=True)
                if lo is not None and hi is not None and lo >= hi:
                    report(
                        alt.field.error(
                            "the altitude band is empty",
                            found=f"min {lo:g} m ≥ max {hi:g} m",
                            expected="min < max",
                        )
                    )
                    failed = True
        border = self.attempt(self._border, sec["border"]) if "border" in sec else None
        if failed or lo is None or hi is None or ("border" in sec and border is None):
            raise AlreadyReported
        return Airspace(
            keep_in=keep_in,
            keep_out=tuple(KeepOut(k.name, k.polygon) for k in keep_outs),
            border=border,
            min_alt_agl_m=lo,
            max_alt_agl_m=hi,
        )

    def _keep_in(self, f: Field) -> tuple[tuple[GeoPoint, ...], list[_NamedArea]]:
        """The keep-in polygon; the holes of one read from a file become keep-outs."""
        if not f.is_mapping:
            return read_polygon(f), []
        sec = f.mapping(("file", "layer"), required=("file",))
        source = self._area_file(sec)
        areas = read_area_file(source, f.path, layer=_opt_text(sec, "layer"))
        if len(areas) != 1:
            raise sec["file"].error(
                f"a keep-in file must hold exactly one polygon, {source.name} holds {len(areas)}",
                found=", ".join(a.where for a in areas[:5]) + (" …" if len(areas) > 5 else ""),
                expected="one Polygon feature (or a MultiPolygon of one part)",
            )
        area = areas[0]
        holes = [
            _NamedArea(f"keep-in hole {i + 1}", ring, f"hole {i + 1} of {area.where}", sec["file"])
            for i, ring in enumerate(area.holes)
        ]
        return area.exterior, holes

    def _keep_outs(self, f: Field) -> list[_NamedArea]:
        if f.is_mapping:
            return self._keep_out_file(f)
        out: list[_NamedArea] = []
        failed = False
        for item in f.items():
            read = self.attempt(self._keep_out_item, item)
            if read is None:
                failed = True
            else:
                out.extend(read)
        if failed:
            raise AlreadyReported
        return out

    def _keep_out_item(self, item: Field) -> list[_NamedArea]:
        if item.is_mapping and any(getattr(k, "value", None) == "file" for k, _ in item.node.value):
            return self._keep_out_file(item)
        ko = item.mapping(("name", "polygon"), required=("name", "polygon"))
        name = self.attempt(ko["name"].text)
        polygon = self.attempt(read_polygon, ko["polygon"])
        if name is None or polygon is None:
            raise AlreadyReported
        return [_NamedArea(name, polygon, f"at line {ko['name'].line}", ko["name"])]

    def _keep_out_file(self, f: Field) -> list[_NamedArea]:
        sec = f.mapping(("file", "name_field", "layer"), required=("file",))
        source = self._area_file(sec)
        name_field = _opt_text(sec, "name_field")
        areas = read_area_file(source, f.path, layer=_opt_text(sec, "layer"), name_field=name_field)
        out: list[_NamedArea] = []
        errors: list[MissionError] = []
        for area in areas:
            if area.holes:
                errors.append(
                    sec["file"].error(
                        f"{area.where} has a hole: a keep-out must be a plain polygon",
                        found=f"{len(area.holes)} interior ring(s)",
                        expected="polygons without holes (split the area in QGIS, or draw "
                        "the hole's surroundings as separate keep-outs)",
                    )
                )
                continue
            out.append(_NamedArea(area.name, area.exterior, area.where, sec["file"]))
        raise_all(errors)
        return out

    def _area_file(self, sec: Section) -> Path:
        file_f = sec["file"]
        source = (self.base_dir / file_f.text()).resolve()
        if source.suffix.lower() not in AREA_EXTENSIONS:
            raise file_f.wrong(
                "a " + ", ".join(AREA_EXTENSIONS) + " file", "unsupported area file type"
            )
        if not source.is_file():
            raise file_f.error(
                "area file not found", found=str(source), expected="an existing file"
            )
        return source

    def _border(self, f: Field) -> Border:
        sec = f.mapping(("name", "line", "buffer"), required=("line", "buffer"))
        name = self.attempt(sec["name"].text) if "name" in sec else "border"
        line = self.attempt(read_line, sec["line"], self.base_dir)
        buffer = self.q(sec, "buffer", LENGTH, minimum=0.0)
        if name is None or line is None or buffer is None:
            raise AlreadyReported
        return Border(name=name, line=line.points, buffer_m=buffer)

    # -- overwatch -----------------------------------------------------------------

    def _overwatch(self, f: Field, drone_count: int | None) -> Overwatch:
        sec = f.mapping(
            (
                "strategy",
                "altitude",
                "corridor_width",
                "lead_min",
                "lead_max",
                "live_floor",
                "lead",
                "escort",
                "bounding",
                "static",
                "baseline",
                "relief",
            )
        )
        default = Overwatch()
        strategy: StrategyName | None = default.strategy
        if "strategy" in sec:
            chosen = self.attempt(sec["strategy"].choice, STRATEGIES, "strategy")
            strategy = next((s for s in STRATEGIES if s == chosen), None)
        lead_min = self.q(sec, "lead_min", DURATION, default.lead_min_s, minimum=0.0)
        lead_max = self.q(sec, "lead_max", DURATION, default.lead_max_s, positive=True)
        window_ok = lead_min is not None and lead_max is not None and lead_min < lead_max
        if lead_min is not None and lead_max is not None and not window_ok:
            where = sec.get("lead_min") or sec.get("lead_max") or sec.field
            report(
                where.error(
                    "the lead window is empty",
                    found=f"lead_min {lead_min:g} s ≥ lead_max {lead_max:g} s",
                    expected="lead_min < lead_max",
                )
            )
        lead: LeadParams | None = LeadParams()
        if "lead" in sec:
            lead = self.attempt(self._lead, sec["lead"], lead_min, lead_max, window_ok)
        altitude = self.q(sec, "altitude", LENGTH, default.altitude_agl_m, positive=True)
        corridor = self.q(sec, "corridor_width", LENGTH, default.corridor_width_m, positive=True)
        floor = self.q(sec, "live_floor", FRACTION, default.live_floor, minimum=0.0)
        if "live_floor" in sec and floor is not None and floor > 1.0:
            report(
                sec["live_floor"].error(
                    "the live floor asks for more than the plan",
                    found=f"{floor * 100:g} %",
                    expected="a share of the plan's lead coverage, at most 100 %, e.g. '70 %'",
                )
            )
            floor = None
        escort = self.attempt(self._escort, sec["escort"]) if "escort" in sec else EscortParams()
        bounding = (
            self.attempt(self._bounding, sec["bounding"]) if "bounding" in sec else BoundingParams()
        )
        static = self.attempt(self._static, sec["static"]) if "static" in sec else StaticParams()
        baseline = (
            self.attempt(self._baseline, sec["baseline"]) if "baseline" in sec else FollowBaseline()
        )
        relief = (
            self.attempt(self._relief, sec["relief"], drone_count)
            if "relief" in sec
            else ReliefParams()
        )
        parts = (strategy, lead, altitude, corridor, floor, escort, bounding, static, baseline)
        if not window_ok or None in parts or relief is None:
            raise AlreadyReported
        assert strategy is not None and lead is not None and altitude is not None
        assert corridor is not None and escort is not None and bounding is not None
        assert static is not None and baseline is not None
        assert lead_min is not None and lead_max is not None and floor is not None
        return Overwatch(
            strategy=strategy,
            altitude_agl_m=altitude,
            corridor_width_m=corridor,
            lead_min_s=lead_min,
            lead_max_s=lead_max,
            live_floor=floor,
            lead=lead,
            escort=escort,
            bounding=bounding,
            static=static,
            baseline=baseline,
            relief=relief,
        )

    def _relief(self, f: Field, drone_count: int | None) -> ReliefParams:
        sec, d = f.mapping(("mode", "overlap")), ReliefParams()
        mode: ReliefMode | None = None
        failed = False
        if "mode" in sec:
            chosen = self.attempt(sec["mode"].choice, RELIEF_MODES, "relief mode")
            mode = next((m for m in RELIEF_MODES if m == chosen), None)
            failed = mode is None
            if mode == "continuous" and drone_count == 1:
                report(
                    sec["mode"].error(
                        "continuous relief needs a second drone to take over the watch",
                        found="1 vehicle",
                        expected="two or more drones under 'vehicles', or 'mode: swap'",
                    )
                )
        overlap = self.q(sec, "overlap", DURATION, d.overlap_s, minimum=0.0)
        if overlap is None or failed:
            raise AlreadyReported
        return ReliefParams(mode=mode, overlap_s=overlap)

    def _lead(
        self, f: Field, lead_min: float | None, lead_max: float | None, window_ok: bool
    ) -> LeadParams:
        block = f.mapping(("target_lead",))
        if "target_lead" not in block:
            return LeadParams()
        target = block["target_lead"].quantity(DURATION, positive=True)
        if (
            window_ok
            and lead_min is not None
            and lead_max is not None
            and not lead_min <= target <= lead_max
        ):
            raise block["target_lead"].error(
                "the target lead lies outside the lead window",
                found=f"{target:g} s",
                expected=f"between lead_min {lead_min:g} s and lead_max {lead_max:g} s",
            )
        return LeadParams(target_lead_s=target)

    def _escort(self, f: Field) -> EscortParams:
        sec, d = f.mapping(("radius", "ahead")), EscortParams()
        radius = self.q(sec, "radius", LENGTH, d.radius_m, positive=True)
        ahead = self.q(sec, "ahead", DURATION, d.ahead_s, minimum=0.0)
        if radius is None or ahead is None:
            raise AlreadyReported
        return EscortParams(radius_m=radius, ahead_s=ahead)

    def _bounding(self, f: Field) -> BoundingParams:
        sec, d = f.mapping(("standoff", "hop")), BoundingParams()
        standoff = self.q(sec, "standoff", LENGTH, d.standoff_m, minimum=0.0)
        hop = self.q(sec, "hop", LENGTH, d.hop_m, positive=True)
        if standoff is None or hop is None:
            raise AlreadyReported
        return BoundingParams(standoff_m=standoff, hop_m=hop)

    def _static(self, f: Field) -> StaticParams:
        sec = f.mapping(("site", "orbit_radius", "duration"))
        site = self.attempt(read_point, sec["site"]) if "site" in sec else None
        duration = self.q(sec, "duration", DURATION, positive=True)
        radius = self.q(sec, "orbit_radius", LENGTH, 0.0, minimum=0.0)
        if ("site" in sec and site is None) or ("duration" in sec and duration is None):
            raise AlreadyReported
        if radius is None:
            raise AlreadyReported
        return StaticParams(site=site, orbit_radius_m=radius, duration_s=duration)

    def _baseline(self, f: Field) -> FollowBaseline:
        sec, d = f.mapping(("offset_ahead", "offset_right")), FollowBaseline()
        ahead = self.q(sec, "offset_ahead", LENGTH, d.offset_ahead_m)
        right = self.q(sec, "offset_right", LENGTH, d.offset_right_m)
        if ahead is None or right is None:
            raise AlreadyReported
        return FollowBaseline(offset_ahead_m=ahead, offset_right_m=right)


@dataclass(frozen=True)
class _NamedArea:
    """A keep-out while it is read: its name, its corners and where it came from."""

    name: str
    polygon: tuple[GeoPoint, ...]
    where: str = ""
    field: Field | None = None


def _opt_text(sec: Section, key: str) -> str | None:
    f = sec.get(key)
    return None if f is None else f.text()


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
