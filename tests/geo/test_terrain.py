"""Elevation rasters: real GeoTIFFs made by gdal_translate, read back and interpolated."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest
import tifffile
from pyproj import Transformer

from overwatch.errors import MissionError, TerrainError
from overwatch.geo.terrain import Terrain
from tests.geo.dem_files import FloatArray, pixel_centres, sample, write_geotiff

# A 30 × 40 grid of 0.001° (≈ 110 m) pixels with its south-west corner at 13.48 N, 2.08 E.
WEST, SOUTH, CELL, ROWS, COLS = 2.08, 13.48, 0.001, 30, 40


def bilinear_form(lon: FloatArray, lat: FloatArray) -> FloatArray:
    """Heights (m) that bilinear interpolation reproduces exactly: 1, lon, lat, lon·lat."""
    u, v = (lon - WEST) / CELL, (lat - SOUTH) / CELL
    return 250.0 + 1.5 * u - 2.0 * v + 0.05 * u * v


def from_peak_m(lon: FloatArray, lat: FloatArray) -> FloatArray:
    return np.hypot((lon - 2.1) * 108_000.0, (lat - 13.495) * 110_600.0)


def hill(lon: FloatArray, lat: FloatArray) -> FloatArray:
    """A cone-shaped hill (slope 0.1, 1.2 km radius) 120 m high on a 250 m plain."""
    return 250.0 + np.maximum(0.0, 120.0 - 0.1 * from_peak_m(lon, lat))


def geotiff(
    tmp_path: Path,
    height_at: Callable[[FloatArray, FloatArray], FloatArray] = bilinear_form,
    options: Sequence[str] = (),
) -> Path:
    """The grid of ``height_at(lon, lat)`` as ``tmp_path/dem.tif``."""
    heights = sample(height_at, ROWS, COLS, west=WEST, south=SOUTH, cell=CELL)
    path = tmp_path / "dem.tif"
    return write_geotiff(path, heights, west=WEST, south=SOUTH, cell=CELL, options=options)


def inside_points(n: int, seed: int = 7) -> tuple[FloatArray, FloatArray]:
    """Random (lat, lon) inside the hull of pixel centres."""
    rng = np.random.default_rng(seed)
    lon = WEST + CELL * rng.uniform(0.5, COLS - 0.5, n)
    lat = SOUTH + CELL * rng.uniform(0.5, ROWS - 0.5, n)
    return lat, lon


def test_wgs84_raster_interpolates_bilinearly(tmp_path: Path) -> None:
    terrain = Terrain.open(geotiff(tmp_path))
    assert terrain.shape == (ROWS, COLS)
    lat, lon = inside_points(500)
    np.testing.assert_allclose(
        terrain.elevation_msl_m(lat, lon), bilinear_form(lon, lat), atol=1e-6
    )


def test_sloped_hill_is_exact_at_pixel_centres_and_close_between(tmp_path: Path) -> None:
    terrain = Terrain.open(geotiff(tmp_path, hill))
    lon, lat = pixel_centres(ROWS, COLS, west=WEST, south=SOUTH, cell=CELL)
    np.testing.assert_allclose(terrain.elevation_msl_m(lat, lon), hill(lon, lat), atol=1e-6)
    # between centres: exact on the plain, close on the flank, cut off only at the peak
    lat_r, lon_r = inside_points(2000, seed=3)
    truth = hill(lon_r, lat_r)
    error = np.abs(terrain.elevation_msl_m(lat_r, lon_r) - truth)
    flank = (truth > 260.0) & (truth < 340.0)
    assert flank.sum() > 20
    assert float(error[from_peak_m(lon_r, lat_r) > 1400.0].max()) < 1e-6
    assert float(error[flank].max()) < 1.0
    assert float(error.max()) < 0.1 * 110 / 2  # half a pixel's worth of slope


def test_scalar_in_float_out_and_array_shape_kept(tmp_path: Path) -> None:
    terrain = Terrain.open(geotiff(tmp_path))
    lat, lon = SOUTH + 10.25 * CELL, WEST + 20.75 * CELL
    value = terrain.elevation_msl_m(lat, lon)
    assert isinstance(value, float)
    assert value == pytest.approx(float(bilinear_form(np.array(lon), np.array(lat))), abs=1e-6)
    grid = terrain.elevation_msl_m(np.full((2, 3), lat), np.full((2, 3), lon))
    assert grid.shape == (2, 3) and np.allclose(grid, value)


def test_outside_is_nan_and_the_outer_half_pixel_is_clamped(tmp_path: Path) -> None:
    terrain = Terrain.open(geotiff(tmp_path))
    north_edge = SOUTH + ROWS * CELL
    assert np.isnan(terrain.elevation_msl_m(north_edge + 0.01 * CELL, WEST + 5.5 * CELL))
    assert np.isnan(terrain.elevation_msl_m(SOUTH + 3 * CELL, WEST - 0.01 * CELL))
    assert np.isnan(terrain.elevation_msl_m(float("nan"), WEST + 5 * CELL))
    # within the outer half pixel: the edge pixel's value
    edge = terrain.elevation_msl_m(north_edge - 0.1 * CELL, WEST + 5.5 * CELL)
    centre = float(bilinear_form(np.array(WEST + 5.5 * CELL), np.array(north_edge - 0.5 * CELL)))
    assert edge == pytest.approx(centre, abs=1e-6)


def test_nodata_pixels_read_as_nan(tmp_path: Path) -> None:
    heights = sample(bilinear_form, ROWS, COLS, west=WEST, south=SOUTH, cell=CELL)
    heights[4, 6] = np.nan  # row 4 from the north, column 6
    path = write_geotiff(
        tmp_path / "holes.tif", heights, west=WEST, south=SOUTH, cell=CELL, nodata=-9999.0
    )
    terrain = Terrain.open(path)
    hole_lat, hole_lon = SOUTH + (ROWS - 4 - 0.5) * CELL, WEST + 6.5 * CELL
    assert np.isnan(terrain.elevation_msl_m(hole_lat, hole_lon))
    assert np.isnan(terrain.elevation_msl_m(hole_lat + 0.3 * CELL, hole_lon - 0.4 * CELL))
    far = terrain.elevation_msl_m(hole_lat + 3 * CELL, hole_lon)
    assert far == pytest.approx(
        float(bilinear_form(np.array(hole_lon), np.array(hole_lat + 3 * CELL)))
    )


def test_projected_utm_raster(tmp_path: Path) -> None:
    """EPSG:32631 (UTM 31N) in metres: lookups by lat/lon go through the projection."""
    west, south, cell, rows, cols = 620_000.0, 1_490_000.0, 30.0, 50, 60

    def ramp(e: FloatArray, n: FloatArray) -> FloatArray:
        return 200.0 + 0.3 * (e - west) - 0.1 * (n - south) + 1e-4 * (e - west) * (n - south)

    heights = sample(ramp, rows, cols, west=west, south=south, cell=cell)
    path = write_geotiff(
        tmp_path / "utm.tif", heights, west=west, south=south, cell=cell, srs="EPSG:32631"
    )
    terrain = Terrain.open(path)
    rng = np.random.default_rng(5)
    e = west + cell * rng.uniform(0.5, cols - 0.5, 300)
    n = south + cell * rng.uniform(0.5, rows - 0.5, 300)
    lon, lat = Transformer.from_crs("EPSG:32631", "EPSG:4326", always_xy=True).transform(e, n)
    np.testing.assert_allclose(terrain.elevation_msl_m(lat, lon), ramp(e, n), atol=1e-4)
    assert "32631" in repr(terrain)


def test_pixel_is_point_rasters_place_pixels_like_pixel_is_area(tmp_path: Path) -> None:
    area = Terrain.open(geotiff(tmp_path))
    (tmp_path / "point").mkdir()
    point = Terrain.open(geotiff(tmp_path / "point", options=["-mo", "AREA_OR_POINT=Point"]))
    with tifffile.TiffFile(tmp_path / "point" / "dem.tif") as tif:
        assert tif.geotiff_metadata is not None
        assert int(tif.geotiff_metadata["GTRasterTypeGeoKey"]) == 2  # really PixelIsPoint
    lat, lon = inside_points(100)
    np.testing.assert_allclose(point.elevation_msl_m(lat, lon), area.elevation_msl_m(lat, lon))


def test_deflate_tiled_and_predictor_files_read(tmp_path: Path) -> None:
    options = ["-co", "COMPRESS=DEFLATE", "-co", "TILED=YES", "-co", "PREDICTOR=2"]
    options += ["-co", "BLOCKXSIZE=16", "-co", "BLOCKYSIZE=16"]
    terrain = Terrain.open(geotiff(tmp_path, options=options))
    lat, lon = inside_points(200)
    np.testing.assert_allclose(
        terrain.elevation_msl_m(lat, lon), bilinear_form(lon, lat), atol=1e-6
    )


def test_lzw_reads_with_imagecodecs_or_says_what_to_install(tmp_path: Path) -> None:
    path = geotiff(tmp_path, options=["-co", "COMPRESS=LZW"])
    if importlib.util.find_spec("imagecodecs") is not None:
        lat, lon = inside_points(50)
        np.testing.assert_allclose(
            Terrain.open(path).elevation_msl_m(lat, lon), bilinear_form(lon, lat)
        )
        return
    with pytest.raises(TerrainError, match="imagecodecs") as info:
        Terrain.open(path)
    assert info.value.file == str(path) and "COMPRESS=DEFLATE" in str(info.value)


# -- unusable files: one clear error naming the file ------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissionError, match="elevation raster not found") as info:
        Terrain.open(tmp_path / "nowhere.tif")
    assert isinstance(info.value, TerrainError)
    assert str(info.value).startswith(str(tmp_path / "nowhere.tif"))


def test_not_a_tiff(tmp_path: Path) -> None:
    path = tmp_path / "dem.tif"
    path.write_text("ncols 4\nnrows 3\n", encoding="ascii")
    with pytest.raises(TerrainError, match="cannot read it as a GeoTIFF") as info:
        Terrain.open(path)
    assert info.value.file == str(path)


def test_plain_tiff_without_georeference(tmp_path: Path) -> None:
    path = tmp_path / "plain.tif"
    tifffile.imwrite(path, np.ones((4, 5), dtype=np.float32))
    with pytest.raises(TerrainError, match="not a GeoTIFF: the file has no GeoKeyDirectory"):
        Terrain.open(path)


def test_multiband_raster(tmp_path: Path) -> None:
    path = tmp_path / "rgb.tif"
    tifffile.imwrite(path, np.zeros((4, 5, 3), dtype=np.uint8), photometric="rgb")
    with pytest.raises(TerrainError, match="has 3 bands; expected a single-band"):
        Terrain.open(path)


def test_crs_without_epsg_code(tmp_path: Path) -> None:
    srs = "+proj=tmerc +lat_0=13 +lon_0=2.3 +k=0.9999 +x_0=500 +y_0=0 +ellps=WGS84 +units=m"
    heights = np.full((3, 4), 300.0)
    path = write_geotiff(tmp_path / "custom.tif", heights, west=0.0, south=0.0, cell=10.0, srs=srs)
    with pytest.raises(TerrainError, match=r"no EPSG code .* gdalwarp -t_srs EPSG:4326"):
        Terrain.open(path)


def test_all_nodata(tmp_path: Path) -> None:
    heights = np.full((3, 4), np.nan)
    path = write_geotiff(
        tmp_path / "empty.tif", heights, west=WEST, south=SOUTH, cell=CELL, nodata=-9999.0
    )
    with pytest.raises(TerrainError, match="no elevation values"):
        Terrain.open(path)
