"""Checks that need the whole mission in metres: launch, rally, route against the airspace.

Each section of a mission file may be fine on its own and still clash with
another: a launch site inside a keep-out, a route that crosses the border.
:func:`check_mission` builds the mission's metric geometry once, raises
located :class:`~overwatch.errors.MissionError` (all of them, as one
:class:`~overwatch.errors.MissionErrors` when several) for what makes the
mission unflyable, and returns :class:`MissionWarning` for what merely deserves a look.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import yaml
from shapely.geometry import LineString, Point
from shapely.ops import nearest_points

from overwatch.errors import MissionError
from overwatch.mission.geometry import MissionGeometry
from overwatch.mission.model import Mission
from overwatch.mission.nodes import Field, Section, raise_all
from overwatch.mission.shapes import Line


@dataclass(frozen=True)
class MissionWarning:
    """Something in a mission that is allowed but probably not meant."""

    message: str
    file: str
    line: int | None = None
    column: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.column) if p is not None)
        return f"{where}: warning: {self.field + ': ' if self.field else ''}{self.message}"


def check_mission(mission: Mission, top: Section, route: Line) -> tuple[MissionWarning, ...]:
    """Raise for clashes between sections (all of them at once); return the warnings.

    ``top`` is the file's root. Each check runs even when an earlier one
    failed, so every clash is reported in one go.
    """
    geo = MissionGeometry.of(mission)
    warnings: list[MissionWarning] = []
    errors: list[MissionError] = []

    def run(check: Callable[..., None], *args: object) -> None:
        try:
            check(*args)
        except MissionError as exc:
            errors.append(exc)

    run(_check_altitudes, mission, top)
    checked: set[str] = set()
    for index in range(len(mission.drones)):
        path = _launch_path(top, index)
        if ".".join(map(str, path)) in checked:
            continue  # drones sharing the mission's launch section
        checked.add(".".join(map(str, path)))
        view = geo.for_drone(index)
        run(_check_site, geo, view.launch, _launch_site_field(top, path), "the launch site")
        for i, rally in enumerate(view.rally):
            f = _locate(top, *path, "rally", i)
            run(_check_site, geo, rally, f, f"rally point {i}")
    run(_check_route_vs_border, geo, route, warnings)
    run(_check_route_vs_keep_in, geo, route, warnings)
    run(_check_static_site, geo, top)
    raise_all(errors)
    for vehicle in mission.vehicles:
        if mission.patrol.speed_m_s > vehicle.cruise_speed_m_s:
            f = _locate(top, "patrol", "speed")
            drone = f"{vehicle.name}'s" if mission.extra_drones else "drone's"
            warnings.append(
                _warning(
                    f,
                    f"the patrol ({mission.patrol.speed_m_s:.1f} m/s) is faster than the "
                    f"{drone} cruise speed ({vehicle.cruise_speed_m_s:.1f} m/s)",
                )
            )
    return tuple(warnings)


def _check_altitudes(mission: Mission, top: Section) -> None:
    alt = mission.overwatch.altitude_agl_m
    lo, hi = mission.airspace.min_alt_agl_m, mission.airspace.max_alt_agl_m
    if not lo <= alt <= hi:
        f = _locate(top, "overwatch", "altitude")
        raise f.error(
            "the overwatch altitude lies outside the airspace's altitude band",
            found=f"{alt:g} m above ground",
            expected=f"between airspace.altitude.min {lo:g} m and max {hi:g} m",
        )


def _check_site(geo: MissionGeometry, site: Point, f: Field, what: str) -> None:
    """A take-off or landing point must be inside the keep-in and outside every forbidden zone."""
    if geo.keep_in is not None and not geo.keep_in.covers(site):
        far = geo.keep_in.exterior.distance(site)
        raise f.error(
            f"{what} lies outside the keep-in area",
            found=f"{far:.0f} m outside airspace.keep_in",
            expected="a point inside airspace.keep_in",
        )
    for name, polygon in geo.keep_outs:
        if polygon.covers(site):
            raise f.error(
                f"{what} lies inside the keep-out area '{name}'",
                expected="a point outside every airspace.keep_out area",
            )
    border = geo.mission.airspace.border
    if border is not None and geo.border is not None:
        gap = float(geo.border.distance(site))
        if gap < border.buffer_m:
            raise f.error(
                f"{what} lies inside the buffer of the border '{border.name}'",
                found=f"{gap:.0f} m from the border",
                expected=f"at least the buffer, {border.buffer_m:.0f} m, on our side",
            )
        if geo.border_zone is not None and geo.border_zone.covers(site):
            raise f.error(
                f"{what} lies beyond the border '{border.name}' (on the far side from "
                "the launch site)",
                expected="a point on the launch site's side of the border",
            )


def _check_route_vs_border(
    geo: MissionGeometry, route: Line, warnings: list[MissionWarning]
) -> None:
    border = geo.mission.airspace.border
    if border is None or geo.border is None or geo.border_zone is None:
        return
    coords = list(geo.route.coords)
    for i in range(len(coords) - 1):
        leg = LineString([coords[i], coords[i + 1]])
        hit = leg.intersection(geo.border)
        if not hit.is_empty:
            p = hit.representative_point()
            lat, lon = geo.frame.to_wgs84(float(p.x), float(p.y))
            raise route.field.error(
                f"the patrol route crosses the border '{border.name}' between "
                f"{route.where(i)} and point {i + 1}, at lat {lat:.6f}, lon {lon:.6f}",
                expected="a route that stays on the launch site's side of the border",
            )
    start = Point(coords[0])
    if geo.border_zone.covers(start) and geo.border.distance(start) > border.buffer_m:
        raise route.field.error(
            f"the patrol route lies beyond the border '{border.name}', on the far side "
            "from the launch site",
            expected="a route on the launch site's side of the border",
        )
    gap = float(geo.route.distance(geo.border))
    if gap < border.buffer_m:
        on_route, _ = nearest_points(geo.route, geo.border)
        station = float(geo.route.project(on_route))
        warnings.append(
            _warning(
                route.field,
                f"the route comes within {gap:.0f} m of the border '{border.name}' "
                f"(at {station / 1000:.2f} km along it), inside its {border.buffer_m:.0f} m "
                "buffer: the drone cannot fly over that stretch",
            )
        )


def _check_route_vs_keep_in(
    geo: MissionGeometry, route: Line, warnings: list[MissionWarning]
) -> None:
    if geo.keep_in is not None and not geo.keep_in.covers(geo.route):
        outside = geo.route.difference(geo.keep_in).length
        warnings.append(
            _warning(
                route.field,
                f"{outside:.0f} m of the route lie outside the keep-in area: "
                "the drone cannot follow the patrol there",
            )
        )


def _check_static_site(geo: MissionGeometry, top: Section) -> None:
    """The static watch site (given, or the route's last point) and its orbit must be allowed."""
    static = geo.mission.overwatch.static
    if static.site is not None:
        point = geo.frame.point(*static.site.as_tuple())
        f = _locate(top, "overwatch", "static", "site")
        what = "the static watch site"
    elif geo.mission.overwatch.strategy == "static":
        point = Point(geo.route.coords[-1])
        f = _locate(top, "overwatch", "static")
        what = "the static watch site (the route's last point)"
    else:
        return
    _check_site(geo, point, f, what)
    radius = static.orbit_radius_m
    if radius > 0 and not geo.is_allowed(point.buffer(radius).exterior):
        raise f.error(
            f"the {radius:.0f} m orbit around {what} leaves the allowed "
            "airspace (keep-in, keep-outs or border buffer)",
            expected="a site and orbit_radius whose circle stays where the drone may fly",
        )


# -- locating fields again for messages ----------------------------------------------


def _locate(top: Section, *path: str | int) -> Field:
    """The deepest field along ``path`` (keys and list indices) that exists in the file."""
    f = top.field
    for step in path:
        child: Field | None = None
        if isinstance(step, str) and isinstance(f.node, yaml.MappingNode):
            for key, value in f.node.value:
                if getattr(key, "value", None) == step:
                    child = f.child(value, step)
        elif (
            isinstance(step, int)
            and isinstance(f.node, yaml.SequenceNode)
            and 0 <= step < len(f.node.value)
        ):
            child = f.child(f.node.value[step], f"[{step}]")
        if child is None:
            break
        f = child
    return f


def _launch_path(top: Section, index: int) -> tuple[str | int, ...]:
    """Where drone ``index``'s launch section is: under its ``vehicles`` item, else the
    mission's ``launch``."""
    own = ("vehicles", index, "launch")
    if "vehicles" in top and _locate(top, *own).path.endswith(".launch"):
        return own
    return ("launch",)


def _launch_site_field(top: Section, path: tuple[str | int, ...] = ("launch",)) -> Field:
    f = _locate(top, *path, "site")
    if not (f.is_mapping or f.is_sequence):
        # with_patrol: name the route's first point too
        return Field(f.node, f"{f.path} (with_patrol: patrol.route[0])", f.file)
    return f


def _warning(f: Field, message: str) -> MissionWarning:
    return MissionWarning(message, f.file, f.line, f.column, f.path or None)


__all__ = ["MissionError", "MissionWarning", "check_mission"]
