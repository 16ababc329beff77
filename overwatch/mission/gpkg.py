"""GeoPackage layers (what QGIS saves by default), read through GDAL with pyogrio.

pyogrio is the ``overwatch[gis]`` extra: without it, reading a ``.gpkg`` is one
clear :class:`~overwatch.errors.MissionError` saying what to install. Every
geometry comes back in WGS84 longitude/latitude, projected from the layer's
CRS when that is another one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from overwatch.errors import MissionError


@dataclass(frozen=True)
class GpkgFeature:
    """One feature: its fid, its attributes and its geometry (shapely, lon/lat), if any."""

    fid: int
    attributes: dict[str, Any]
    geometry: Any  # shapely geometry or None


def read_gpkg(path: Path, field: str = "", layer: str | None = None) -> list[GpkgFeature]:
    """Every feature of the one layer (or of ``layer``) of a GeoPackage, in WGS84."""
    try:
        import pyogrio
        import pyogrio.raw
    except ModuleNotFoundError:
        raise MissionError(
            "reading a GeoPackage needs pyogrio, which is not installed: "
            "pip install 'overwatch[gis]' (or save the layer as GeoJSON or KML)",
            file=str(path),
            field=field or None,
        ) from None
    import shapely
    from pyogrio import errors as ogr_errors
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    unreadable = (
        ogr_errors.DataSourceError,
        ogr_errors.DataLayerError,
        ogr_errors.FeatureError,
        ogr_errors.FieldError,
        ogr_errors.GeometryError,
        ogr_errors.CRSError,
    )
    try:
        layers = [str(name) for name, _kind in pyogrio.list_layers(path)]
        if layer is None and len(layers) > 1:
            raise MissionError(
                "the GeoPackage holds several layers: say which",
                file=str(path),
                field=field or None,
                found="layers " + ", ".join(layers),
                expected="a 'layer: NAME' key beside 'file'",
            )
        if layer is not None and layer not in layers:
            raise MissionError(
                f"no layer '{layer}' in the GeoPackage",
                file=str(path),
                field=field or None,
                found="layers " + ", ".join(layers),
                expected="one of those names",
            )
        meta, fids, wkb, columns = pyogrio.raw.read(
            path, layer=layer, return_fids=True, force_2d=True
        )
    except unreadable as exc:
        raise MissionError(
            f"cannot read the GeoPackage: {str(exc).split(';')[0]}",
            file=str(path),
            field=field or None,
            expected="a GeoPackage as QGIS or ogr2ogr writes it",
        ) from None
    names = [str(n) for n in meta["fields"]]
    crs_text = meta.get("crs")
    transformer = None
    if crs_text:
        try:
            crs = CRS.from_user_input(crs_text)
        except CRSError:
            raise MissionError(
                "the GeoPackage layer's CRS is not one pyproj knows",
                file=str(path),
                field=field or None,
                found=str(crs_text),
                expected="a CRS with an EPSG code (QGIS: Export ▸ Save Features As, CRS EPSG:4326)",
            ) from None
        if not crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            transformer = Transformer.from_crs(crs, 4326, always_xy=True)

    def to_wgs84(xy: Any) -> Any:
        import numpy as np

        assert transformer is not None
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([np.asarray(x, dtype=float), np.asarray(y, dtype=float)])

    features: list[GpkgFeature] = []
    for row, fid in enumerate(fids):
        attributes = {name: columns[c][row] for c, name in enumerate(names)}
        blob = wkb[row]
        geometry = None if blob is None else shapely.from_wkb(blob)
        if geometry is not None and transformer is not None:
            geometry = shapely.transform(geometry, to_wgs84)
        features.append(GpkgFeature(int(fid), attributes, geometry))
    return features


__all__ = ["GpkgFeature", "read_gpkg"]
