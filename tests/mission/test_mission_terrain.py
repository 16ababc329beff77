"""The optional ``terrain: {file: dem.tif}`` section: resolved, checked, located errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from overwatch.geo.terrain import Terrain
from overwatch.mission import load_mission
from tests.geo.dem_files import write_geotiff
from tests.mission.helpers import BASE, line_of, load_error, write


def with_terrain(block: str) -> str:
    return BASE + block


def small_dem(path: Path) -> Path:
    heights = np.linspace(230.0, 250.0, 12).reshape(3, 4)
    return write_geotiff(path, heights, west=0.40, south=14.02, cell=0.01)


def test_no_terrain_section_means_none(tmp_path: Path) -> None:
    assert load_mission(write(tmp_path, BASE)).terrain_path is None


def test_terrain_file_is_relative_to_the_mission_file(tmp_path: Path) -> None:
    (tmp_path / "dem").mkdir()
    dem = small_dem(tmp_path / "dem" / "konni.tif")
    (tmp_path / "missions").mkdir()
    mission_file = write(tmp_path / "missions", with_terrain("terrain: {file: ../dem/konni.tif}\n"))
    mission = load_mission(mission_file)
    assert mission.terrain_path == str(dem.resolve())
    assert Terrain.open(mission.terrain_path).elevation_msl_m(14.035, 0.425) > 229.0


def test_missing_terrain_file_is_a_located_error(tmp_path: Path) -> None:
    text = with_terrain("terrain:\n  file: dem/absent.tif\n")
    err = load_error(tmp_path, text)
    assert err.field == "terrain.file" and err.line == line_of(text, "absent.tif")
    assert "terrain file not found" in err.message
    assert err.found == str((tmp_path / "dem" / "absent.tif").resolve())


def test_unusable_terrain_file_says_why(tmp_path: Path) -> None:
    (tmp_path / "dem.tif").write_text("not a raster\n", encoding="ascii")
    text = with_terrain("terrain: {file: dem.tif}\n")
    err = load_error(tmp_path, text)
    assert err.field == "terrain.file" and err.line == line_of(text, "terrain:")
    assert "unusable terrain file dem.tif: cannot read it as a GeoTIFF" in err.message


def test_terrain_needs_a_file_key(tmp_path: Path) -> None:
    err = load_error(tmp_path, with_terrain("terrain: {path: dem.tif}\n"))
    assert err.field is not None and err.field.startswith("terrain")
    assert "path" in str(err)
