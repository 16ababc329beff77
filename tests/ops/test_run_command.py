"""``overwatch run`` as an operator starts it: a real process against the simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from overwatch.mission import load_mission
from overwatch.ops.training import SimProcess
from overwatch.planning import plan

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
SCENARIO = ROOT / "missions" / "vehicle-patrol.scenario.yaml"


def test_overwatch_run_takes_off_watches_and_comes_home(tmp_path: Path) -> None:
    sim_dir, run_dir = tmp_path / "sim", tmp_path / "run"
    speedup = 20.0
    with SimProcess(
        MISSION, SCENARIO, sim_dir, speedup=speedup, extra_args=("--ekf-delay", "10")
    ) as sim:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "overwatch",
                "run",
                str(MISSION),
                "--connect",
                sim.connect_url,
                "--patrol",
                sim.patrol_url,
                "--sightings",
                sim.sightings_url,
                "--speedup",
                repr(speedup),
                "--run-dir",
                str(run_dir),
                "--time-limit",
                "400",
            ],
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("time limit: lead coverage")
    assert "landed" in result.stdout and "NOT landed" not in result.stdout
    assert "| patrol" in result.stderr and "| coverage" in result.stderr  # the progress line
    # the plan's figure, before the flight, on the progress line and at the end
    planned = plan(load_mission(MISSION), "lead").coverage.lead_coverage
    assert f"the plan: lead coverage {planned:.1%} (lead)" in result.stderr
    assert f"(plan {planned:.1%})" in result.stderr
    assert f"(the plan: {planned:.1%})" in result.stdout
    manifest = json.loads((run_dir / "run.json").read_text())
    assert manifest["mode"] == "lead" and manifest["speedup"] == speedup
    assert (run_dir / "flight.tlog").stat().st_size > 10_000
    assert (run_dir / "cues.sqlite").exists()


def test_overwatch_run_says_which_feed_url_is_wrong(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "overwatch",
            "run",
            str(MISSION),
            "--connect",
            "tcp:127.0.0.1:9",
            "--patrol",
            "nmea://127.0.0.1:10110",
            "--run-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "nmea://127.0.0.1:10110" in result.stderr and "expected" in result.stderr
    assert "Traceback" not in result.stderr
