"""``pip install .`` without extras: a working --help, validate, plan and fly, as a new user has.

A fresh virtual environment gets a real (non-editable) install of this tree
with its base dependencies only; the commands run from there, outside the
source tree. What needs an extra says which, in one line, without a
traceback. The vehicle for ``fly --dry-run`` is the built-in simulator, run
from the development environment (the simulator itself is not on trial).
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from overwatch.cli import COMMANDS
from overwatch.commands import EXTRAS
from tests.flight.backends import DEFAULT_SPEEDUP, Backend
from tests.mission.test_layer_files import ZONES, mission_with, ogr2ogr

ROOT = Path(__file__).resolve().parents[2]
MISSIONS = ROOT / "missions"
SHORT_ROAD = ROOT / "tests" / "flight" / "short-road.yaml"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def base_venv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A venv holding ``pip install ROOT`` and nothing more; its bin folder."""
    prepared = ROOT / ".venv-base"  # scripts/base-venv.sh, run by `just test` beforehand
    if not (prepared / "bin" / "python").exists():
        venv = tmp_path_factory.mktemp("base-install") / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
        _install(venv, [])
        yield venv / "bin"
        return
    # Shared by every xdist worker of the run: one refreshes Overwatch in it from this
    # tree, offline (the tests run without a network), while the others wait; none
    # reinstalls it while another worker's commands run from it.
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID", f"pid-{os.getpid()}")
    marker = prepared / ".refreshed-for"

    def fresh() -> bool:
        return marker.exists() and marker.read_text() == run_id

    with (prepared / ".refresh.lock").open("w") as lock:
        while True:
            fcntl.flock(lock, fcntl.LOCK_SH)  # held while this worker's tests use it
            if fresh():
                break
            fcntl.flock(lock, fcntl.LOCK_UN)
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not fresh():
                _install(prepared, ["--no-deps", "--no-index", "--no-build-isolation"])
                marker.write_text(run_id)
            fcntl.flock(lock, fcntl.LOCK_UN)
        yield prepared / "bin"


def _install(venv: Path, options: list[str]) -> None:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", *options, str(ROOT)],
        capture_output=True,
        text=True,
        timeout=900,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(cwd)),
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [str(bin_dir / "overwatch"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        env=env,
    )


def test_the_base_install_has_no_extra_and_runs_from_site_packages(
    base_venv: Path, tmp_path: Path
) -> None:
    probe = subprocess.run(
        [
            str(base_venv / "python"),
            "-c",
            "import importlib.util, overwatch; print(overwatch.__file__); "
            f"print(sorted(m for m in {sorted(EXTRAS)!r} if importlib.util.find_spec(m)))",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert probe.returncode == 0, probe.stderr
    where, extras = probe.stdout.splitlines()
    # installed, not imported from the source tree (the prepared venv may sit beside it)
    assert "site-packages" in where and not where.startswith(str(ROOT / "overwatch"))
    assert extras == "[]"


def test_help_lists_every_command(base_venv: Path, tmp_path: Path) -> None:
    top = run(base_venv, "--help", cwd=tmp_path)
    assert top.returncode == 0, top.stderr
    for name in COMMANDS:
        assert f"    {name} " in top.stdout
        sub = run(base_venv, name, "--help", cwd=tmp_path)
        assert sub.returncode == 0 and f"usage: overwatch {name}" in sub.stdout, sub.stderr


def test_validate_good_and_bad(base_venv: Path, tmp_path: Path) -> None:
    good = run(base_venv, "validate", str(MISSIONS / "vehicle-patrol.yaml"), cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("ok ")
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        (MISSIONS / "customs-post.yaml")
        .read_text()
        .replace("schema_version: 1", "schema_version: 7")
    )
    refused = run(base_venv, "validate", str(bad), cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr.startswith(f"error: {bad}:") and "unsupported schema version 7" in (
        refused.stderr
    )
    assert "Traceback" not in refused.stderr


def test_a_geopackage_layer_names_the_gis_extra(base_venv: Path, tmp_path: Path) -> None:
    layer = ogr2ogr(tmp_path, ZONES, "zones.gpkg")
    mission = mission_with(tmp_path, f"  keep_out: {{file: {layer.name}, name_field: zone}}\n")
    done = run(base_venv, "validate", str(mission), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {layer}: airspace.keep_out: reading a GeoPackage needs pyogrio, which is not "
        "installed: pip install 'overwatch[gis]' (or save the layer as GeoJSON or KML)"
    ]


def test_plan_writes_every_export_and_names_the_report_extra_for_the_map(
    base_venv: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    done = run(
        base_venv, "plan", str(MISSIONS / "vehicle-patrol.yaml"), "--out", str(out), cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    suffixes = sorted({p.suffix for p in out.iterdir()})
    assert suffixes == [".geojson", ".kml", ".plan", ".waypoints"]
    notes = [line for line in done.stdout.splitlines() if "overwatch[report]" in line]
    assert notes == [
        "  no PNG map: the map needs matplotlib, which is not installed: "
        "pip install 'overwatch[report]'"
    ]


def test_score_names_the_report_extra_in_one_line(base_venv: Path, tmp_path: Path) -> None:
    done = run(base_venv, "score", str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "error: overwatch score needs matplotlib, which is not installed: "
        "pip install 'overwatch[report]'"
    ]


def test_video_and_the_demo_name_their_extras_before_starting(
    base_venv: Path, tmp_path: Path
) -> None:
    live = run(
        base_venv, "run", str(MISSIONS / "vehicle-patrol.yaml"), "--connect", "tcp:127.0.0.1:9",
        "--patrol", "nmea+udp://127.0.0.1:10110", "--video", "udp://127.0.0.1:5600",
        "--run-dir", str(tmp_path / "run"), cwd=tmp_path,
    )  # fmt: skip
    assert live.returncode == 2
    lines = live.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: overwatch run needs "), live.stderr
    assert lines[0].endswith("pip install 'overwatch[video]'")
    assert not (tmp_path / "run").exists()  # refused before anything was started or written
    demo = run(base_venv, "demo", "--headless", "--out", str(tmp_path / "demo"), cwd=tmp_path)
    assert demo.returncode == 2
    assert demo.stderr.strip().splitlines() == [
        "error: overwatch demo needs matplotlib, which is not installed: "
        "pip install 'overwatch[report]'"
    ]


async def test_fly_dry_run_puts_the_plan_on_the_vehicle(base_venv: Path, tmp_path: Path) -> None:
    backend = Backend("builtin", tmp_path, DEFAULT_SPEEDUP["builtin"])
    try:
        running = await backend.start(SHORT_ROAD)
        done = await asyncio.to_thread(
            run,
            base_venv,
            "fly",
            str(SHORT_ROAD),
            "--connect",
            running.url,
            "--speedup",
            f"{running.speedup:g}",
            "--dry-run",
            cwd=tmp_path,
        )
    finally:
        await backend.close()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "dry run" in done.stdout and "not arming" in done.stdout
    assert "Traceback" not in done.stderr
