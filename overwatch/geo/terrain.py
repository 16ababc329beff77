"""Ground elevation from a GeoTIFF raster: metres above mean sea level, bilinear.

:meth:`Terrain.open` reads a single-band GeoTIFF whose CRS is EPSG:4326 or any
other EPSG geographic or projected CRS (UTM, …), georeferenced by a tie point
and pixel scale or by a north-up model transformation (no rotation). Its
values are taken as heights above mean sea level in metres (feet when the
file's vertical-units GeoKey says so): SRTM and Copernicus DEMs, which are
relative to the EGM96/EGM2008 geoid, qualify; an ellipsoidal DEM would be off
by the local geoid undulation.

Heights are interpolated bilinearly between pixel centres and clamped to the
edge pixels within the raster's outer half pixel; outside the raster, or next
to a no-data pixel, the height is NaN.

The file is read with ``tifffile`` (pure Python). Uncompressed, DEFLATE and
PackBits files need nothing else; LZW, ZSTD, LERC or the floating-point
predictor need the ``imagecodecs`` package, and the error says so.

>>> terrain = Terrain.open("dem.tif")  # doctest: +SKIP
>>> terrain.elevation_msl_m(13.5, 2.1)  # doctest: +SKIP
312.4
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt
import tifffile
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from overwatch.errors import TerrainError

FloatArray = npt.NDArray[np.float64]
Fail = Callable[[str], "TerrainError"]

# TIFF tags (GeoTIFF 1.1, OGC 19-008r4, and GDAL's no-data tag)
TAG_MODEL_PIXEL_SCALE = 33550
TAG_MODEL_TIEPOINT = 33922
TAG_MODEL_TRANSFORMATION = 34264
TAG_GEO_KEY_DIRECTORY = 34735
TAG_GDAL_NODATA = 42113

# GeoKeys and their values
KEY_MODEL_TYPE = 1024
KEY_RASTER_TYPE = 1025
KEY_GEOGRAPHIC_TYPE = 2048
KEY_PROJECTED_TYPE = 3072
KEY_VERTICAL_UNITS = 4099
MODEL_PROJECTED, MODEL_GEOGRAPHIC = 1, 2
RASTER_PIXEL_IS_POINT = 2
USER_DEFINED = 32767
#: EPSG unit of measure → metres, for the vertical-units key
VERTICAL_UNIT_M = {9001: 1.0, 9002: 0.3048, 9003: 1200.0 / 3937.0}

REPROJECT_HINT = "reproject it, e.g. gdalwarp -t_srs EPSG:4326 in.tif out.tif"


@dataclass(frozen=True, eq=False)
class Terrain:
    """A regular grid of heights above mean sea level (metres) in a CRS.

    ``heights_msl_m`` is ``rows × cols`` (row 0 first in the file, NaN where
    there is no data). Pixel centre ``(row, col)`` lies at raster-CRS
    coordinates ``(x0 + col·dx, y0 + row·dy)``; for a north-up raster ``dy``
    is negative. For a geographic CRS ``x`` is longitude and ``y`` latitude
    in degrees; for a projected one they are the CRS's easting and northing.
    """

    heights_msl_m: FloatArray = field(repr=False)
    x0: float
    y0: float
    dx: float
    dy: float
    crs: CRS = field(repr=False)
    source: str = ""
    _from_wgs84: Transformer | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.heights_msl_m.ndim != 2 or 0 in self.heights_msl_m.shape:
            raise ValueError(
                f"heights must be a non-empty 2-D grid, got {self.heights_msl_m.shape}"
            )
        if self.dx == 0.0 or self.dy == 0.0:
            raise ValueError("pixel steps dx and dy must be non-zero")
        wgs84 = CRS.from_epsg(4326)
        transformer = (
            None if self.crs == wgs84 else Transformer.from_crs(wgs84, self.crs, always_xy=True)
        )
        object.__setattr__(self, "_from_wgs84", transformer)

    def __repr__(self) -> str:
        rows, cols = self.shape
        return f"Terrain({self.source!r}, {rows}×{cols} px, {self.crs.to_string()})"

    @classmethod
    def open(cls, path: str | Path) -> Terrain:
        """Read the single-band GeoTIFF at ``path``; raise :class:`TerrainError` if unusable."""
        return _read_geotiff(Path(path))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, cols)`` of the grid."""
        rows, cols = self.heights_msl_m.shape
        return int(rows), int(cols)

    @overload
    def elevation_msl_m(self, lat_deg: float, lon_deg: float) -> float: ...
    @overload
    def elevation_msl_m(
        self, lat_deg: FloatArray | list[float], lon_deg: FloatArray | list[float]
    ) -> FloatArray: ...
    def elevation_msl_m(self, lat_deg: Any, lon_deg: Any) -> Any:
        """Ground height above mean sea level (m) at WGS84 degrees; NaN off the raster.

        Scalars give a float, arrays an array of their broadcast shape.
        """
        lat = np.asarray(lat_deg, dtype=float)
        lon = np.asarray(lon_deg, dtype=float)
        if self._from_wgs84 is None:
            x, y = lon, lat
        else:
            x, y = (np.asarray(v, dtype=float) for v in self._from_wgs84.transform(lon, lat))
        heights = self._bilinear((x - self.x0) / self.dx, (y - self.y0) / self.dy)
        if np.ndim(lat_deg) == 0 and np.ndim(lon_deg) == 0:
            return float(heights)
        return heights

    def _bilinear(self, col: FloatArray, row: FloatArray) -> FloatArray:
        """Heights at fractional pixel-centre coordinates; NaN outside the raster."""
        rows, cols = self.shape
        inside = (col >= -0.5) & (col <= cols - 0.5) & (row >= -0.5) & (row <= rows - 0.5)
        # NaN/inf coordinates are outside; zero them so the integer casts stay quiet
        c = np.clip(np.where(inside, col, 0.0), 0.0, cols - 1.0)
        r = np.clip(np.where(inside, row, 0.0), 0.0, rows - 1.0)
        c0, r0 = np.floor(c).astype(np.intp), np.floor(r).astype(np.intp)
        c1, r1 = np.minimum(c0 + 1, cols - 1), np.minimum(r0 + 1, rows - 1)
        fc, fr = c - c0, r - r0
        h = self.heights_msl_m
        top = h[r0, c0] * (1.0 - fc) + h[r0, c1] * fc
        bottom = h[r1, c0] * (1.0 - fc) + h[r1, c1] * fc
        value = top * (1.0 - fr) + bottom * fr
        result: FloatArray = np.where(inside, value, np.nan)
        return result


# -- reading ---------------------------------------------------------------------------


def _read_geotiff(file: Path) -> Terrain:
    def fail(message: str) -> TerrainError:
        return TerrainError(message, file=str(file))

    if not file.is_file():
        raise fail("elevation raster not found (expected a single-band GeoTIFF)")
    try:
        with tifffile.TiffFile(file) as tif:
            page = tif.pages.first
            tags = {tag.code: tag.value for tag in page.tags}
            samples = int(page.samplesperpixel)
            if samples != 1:
                raise fail(
                    f"the raster has {samples} bands; expected a single-band elevation raster"
                )
            try:
                pixels = np.asarray(page.asarray())
            except Exception as exc:  # any codec failure in a user's file is a file problem
                raise fail(
                    f"cannot decode the raster's pixels: {exc} (install 'imagecodecs', or "
                    "rewrite it: gdal_translate -co COMPRESS=DEFLATE in.tif out.tif)"
                ) from None
    except tifffile.TiffFileError as exc:
        raise fail(f"cannot read it as a GeoTIFF: {exc}") from None
    except OSError as exc:
        raise fail(f"cannot read the elevation raster: {exc}") from None

    if pixels.ndim != 2 or pixels.dtype.kind not in "iuf":
        raise fail(
            f"unsupported raster layout {pixels.shape} of {pixels.dtype}; "
            "expected one band of integer or floating-point heights"
        )
    keys = _geo_keys(tags, fail)
    crs = _crs(keys, fail)
    heights = pixels.astype(np.float64)
    nodata = _nodata(tags.get(TAG_GDAL_NODATA))
    if nodata is not None:
        heights[heights == nodata] = np.nan
    heights[~np.isfinite(heights)] = np.nan
    if np.isnan(heights).all():
        raise fail("the raster holds no elevation values (every pixel is no-data)")
    unit_code = keys.get(KEY_VERTICAL_UNITS, 9001)
    if unit_code not in VERTICAL_UNIT_M:
        raise fail(f"unsupported vertical unit (EPSG unit {unit_code}); expected metres or feet")
    heights *= VERTICAL_UNIT_M[unit_code]

    x_corner, y_corner, dx, dy = _affine(tags, fail)
    if keys.get(KEY_RASTER_TYPE) == RASTER_PIXEL_IS_POINT:
        x0, y0 = x_corner, y_corner  # raster (0, 0) is already the first pixel's centre
    else:
        x0, y0 = x_corner + 0.5 * dx, y_corner + 0.5 * dy
    return Terrain(heights, x0, y0, dx, dy, crs, source=str(file))


def _geo_keys(tags: dict[int, Any], fail: Fail) -> dict[int, int]:
    """The GeoKeys with short values (all the ones needed here), by key id."""
    directory = tags.get(TAG_GEO_KEY_DIRECTORY)
    if directory is None:
        raise fail(
            "not a GeoTIFF: the file has no GeoKeyDirectory "
            "(georeference it, e.g. gdal_translate -a_srs EPSG:4326 -a_ullr …)"
        )
    values = [int(v) for v in directory]
    if len(values) < 4 or len(values) < 4 + 4 * values[3]:
        raise fail("malformed GeoKeyDirectory tag")
    keys: dict[int, int] = {}
    for i in range(values[3]):
        key, location, _count, value = values[4 + 4 * i : 8 + 4 * i]
        if location == 0:
            keys[key] = value
    return keys


def _crs(keys: dict[int, int], fail: Fail) -> CRS:
    model = keys.get(KEY_MODEL_TYPE)
    if model == MODEL_GEOGRAPHIC:
        code = keys.get(KEY_GEOGRAPHIC_TYPE)
    elif model == MODEL_PROJECTED:
        code = keys.get(KEY_PROJECTED_TYPE)
    else:
        raise fail(
            f"unsupported GeoTIFF model type {model}; expected a geographic or projected CRS"
        )
    if code is None or code == USER_DEFINED:
        raise fail(f"the raster's CRS has no EPSG code (user-defined); {REPROJECT_HINT}")
    try:
        return CRS.from_epsg(code)
    except CRSError:
        raise fail(f"unknown EPSG code {code} for the raster's CRS; {REPROJECT_HINT}") from None


def _affine(tags: dict[int, Any], fail: Fail) -> tuple[float, float, float, float]:
    """Raster-CRS position of raster point (0, 0) and the steps per column and per row."""
    matrix = tags.get(TAG_MODEL_TRANSFORMATION)
    if matrix is not None:
        m = [float(v) for v in matrix]
        if len(m) != 16:
            raise fail("malformed ModelTransformation tag (expected 16 numbers)")
        if m[1] != 0.0 or m[4] != 0.0:
            raise fail(f"rotated or sheared rasters are not supported; {REPROJECT_HINT}")
        x_corner, y_corner, dx, dy = m[3], m[7], m[0], m[5]
    else:
        scale, tiepoint = tags.get(TAG_MODEL_PIXEL_SCALE), tags.get(TAG_MODEL_TIEPOINT)
        if scale is None or tiepoint is None:
            raise fail(
                "not georeferenced: expected ModelPixelScale and ModelTiepoint tags, "
                "or a ModelTransformation tag"
            )
        if len(tiepoint) != 6:
            raise fail(f"ground-control-point georeferencing is not supported; {REPROJECT_HINT}")
        i, j, _k, x, y, _z = (float(v) for v in tiepoint)
        dx, dy = float(scale[0]), -float(scale[1])
        x_corner, y_corner = x - i * dx, y - j * dy
    if dx == 0.0 or dy == 0.0:
        raise fail("the raster's pixel size is zero")
    return x_corner, y_corner, dx, dy


def _nodata(value: Any) -> float | None:
    """GDAL's no-data value (an ASCII tag) as a float, or None."""
    if value is None:
        return None
    try:
        return float(str(value).strip().rstrip("\x00"))
    except ValueError:
        return None


__all__ = ["Terrain", "TerrainError"]
