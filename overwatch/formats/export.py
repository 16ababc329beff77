"""Write every export of a plan into one folder (what ``overwatch plan`` calls)."""

from __future__ import annotations

from pathlib import Path

from overwatch.errors import FormatError
from overwatch.formats._common import slug
from overwatch.formats.features import FOOTPRINT_EVERY_S
from overwatch.formats.geojson import write_geojson
from overwatch.formats.kml import write_kml
from overwatch.formats.qgc_plan import write_qgc_plan
from overwatch.formats.waypoints import write_waypoints
from overwatch.planning.model import Plan


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
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FormatError(
            f"{out}: cannot create the export folder: {exc.strerror or exc}"
        ) from None
    stem = export_stem(plan)
    written: list[Path] = []
    for sortie in plan.sorties:
        base = out / f"{stem}-sortie{sortie.index + 1}"
        written.append(write_qgc_plan(plan, sortie, base.with_suffix(".plan")))
        written.append(write_waypoints(sortie.items, base.with_suffix(".waypoints")))
    written.append(
        write_geojson(plan, out / f"{stem}.geojson", footprint_every_s=footprint_every_s)
    )
    written.append(write_kml(plan, out / f"{stem}.kml", footprint_every_s=footprint_every_s))
    return written
