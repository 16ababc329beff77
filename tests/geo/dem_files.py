"""Real GeoTIFF elevation rasters for tests, made by GDAL's own gdal_translate.

A grid of heights is written as an ESRI ASCII grid (``.asc``) and converted
with ``gdal_translate -a_srs …`` (Debian's gdal-bin), so the files carry the
GeoKeys and tie points real tools write.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def write_geotiff(
    path: Path,
    heights_m: FloatArray,
    *,
    west: float,
    south: float,
    cell: float,
    srs: str = "EPSG:4326",
    options: Sequence[str] = (),
    nodata: float | None = None,
) -> Path:
    """Write ``heights_m`` (row 0 = northmost) as a GeoTIFF at ``path``.

    ``west``/``south`` are the outer corner of the south-west pixel and
    ``cell`` the square pixel size, in the units of ``srs``.
    """
    rows, cols = heights_m.shape
    grid = np.where(np.isnan(heights_m), -9999.0, heights_m) if nodata is not None else heights_m
    lines = [
        f"ncols {cols}",
        f"nrows {rows}",
        f"xllcorner {west!r}",
        f"yllcorner {south!r}",
        f"cellsize {cell!r}",
    ]
    if nodata is not None:
        lines.append("NODATA_value -9999")
    lines += [" ".join(repr(float(v)) for v in row) for row in grid]
    asc = path.with_suffix(".asc")
    asc.write_text("\n".join(lines) + "\n", encoding="ascii")
    # the ASCII grid driver reads Float32 unless told otherwise
    command = ["gdal_translate", "-q", "--config", "AAIGRID_DATATYPE", "Float64"]
    command += ["-ot", "Float64", "-a_srs", srs, *options, str(asc)]
    subprocess.run([*command, str(path)], check=True, capture_output=True, timeout=60)
    return path


def pixel_centres(
    rows: int, cols: int, *, west: float, south: float, cell: float
) -> tuple[FloatArray, FloatArray]:
    """``(x, y)`` grids of pixel centres, row 0 northmost, as ``write_geotiff`` lays them."""
    x = west + cell * (np.arange(cols) + 0.5)
    y = south + cell * (rows - np.arange(rows) - 0.5)
    xx, yy = np.meshgrid(x, y)
    return xx, yy


def sample(
    height_at: Callable[[FloatArray, FloatArray], FloatArray],
    rows: int,
    cols: int,
    *,
    west: float,
    south: float,
    cell: float,
) -> FloatArray:
    """``height_at(x, y)`` at every pixel centre."""
    xx, yy = pixel_centres(rows, cols, west=west, south=south, cell=cell)
    return np.asarray(height_at(xx, yy), dtype=float)
