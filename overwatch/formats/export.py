"""Write every export of a plan into one folder (what ``overwatch plan`` calls)."""

from __future__ import annotations

from pathlib import Path

from overwatch.errors import FormatError
from overwatch.formats._common import slug
from overwatch.formats.features import FOOTPRINT_EVERY_S
from overwatch.formats.geojson import write_geojson, write_team_geojson
from overwatch.formats.kml import write_kml, write_team_kml
from overwatch.formats.qgc_plan import write_qgc_plan
from overwatch.formats.waypoints import write_waypoints
from overwatch.planning.model import Plan, TeamPlan


def export_stem(plan: Plan) -> str:
    """The common file-name stem: ``<mission-name>-<strategy>`` in lower-case slug form."""
    return f"{slug(plan.mission.name)}-{slug(plan.strategy)}"


def write_all(
    plan: Plan, out_dir: Path | str, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> list[Path]:
    """Write all exports of ``plan`` into ``out_dir`` (created if missing).

    Files, with ``stem`` from :func:`export_stem` and ``N`` the 1-based sortie number:

    - ``stem-sortieN.plan``: QGroundControl plan (mission, fence, rally), one per sortie
    - ``stem-sortieN.waypoints``: Mission Planner / MAVProxy mission, one per sortie
    - ``stem.geojson``: everything as map features, for QGIS
    - ``stem.kml``: the same for Google Earth and ATAK

    Returns the paths written, in that order. Raises :class:`FormatError` when
    the folder cannot be created or a file cannot be written.
    """
    out = _folder(out_dir)
    stem = export_stem(plan)
    written = _missions(plan, out / stem)
    written.append(
        write_geojson(plan, out / f"{stem}.geojson", footprint_every_s=footprint_every_s)
    )
    written.append(write_kml(plan, out / f"{stem}.kml", footprint_every_s=footprint_every_s))
    return written


def team_stem(plan: Plan) -> str:
    """A team drone's file-name stem: ``<mission-name>-<strategy>-<drone-name>``."""
    return f"{export_stem(plan)}-{slug(plan.mission.vehicle.name)}"


def write_team(
    team: TeamPlan, out_dir: Path | str, *, footprint_every_s: float = FOOTPRINT_EVERY_S
) -> list[Path]:
    """Write all exports of a team's plan into ``out_dir`` (created if missing).

    With one drone flying (``relief.mode: swap``) this is :func:`write_all` of
    that drone's plan, file for file. With a team, per drone ``D`` (its name as a
    slug) and sortie ``N``: ``stem-D-sortieN.plan`` and ``stem-D-sortieN.waypoints``,
    each with the fence and that drone's rally points; then ``stem.geojson`` and
    ``stem.kml`` with every drone, the reliefs and the team's gaps. Returns the
    paths written, in that order.
    """
    if len(team.drones) == 1:
        return write_all(team.drones[0], out_dir, footprint_every_s=footprint_every_s)
    out = _folder(out_dir)
    written: list[Path] = []
    for drone in team.drones:
        written += _missions(drone, out / team_stem(drone))
    stem = export_stem(team.drones[0])
    every = footprint_every_s
    written.append(write_team_geojson(team, out / f"{stem}.geojson", footprint_every_s=every))
    written.append(write_team_kml(team, out / f"{stem}.kml", footprint_every_s=every))
    return written


def _folder(out_dir: Path | str) -> Path:
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FormatError(
            f"{out}: cannot create the export folder: {exc.strerror or exc}"
        ) from None
    return out


def _missions(plan: Plan, base: Path) -> list[Path]:
    """One ``.plan`` and one ``.waypoints`` per sortie: ``<base>-sortieN``."""
    written: list[Path] = []
    for sortie in plan.sorties:
        path = base.with_name(f"{base.name}-sortie{sortie.index + 1}")
        written.append(write_qgc_plan(plan, sortie, path.with_suffix(".plan")))
        written.append(write_waypoints(sortie.items, path.with_suffix(".waypoints")))
    return written
