"""``overwatch demo --headless --sitl``: the demo's patrol flown on real ArduPilot SITL, scored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.sitl]


@pytest.mark.timeout(1800)  # a whole patrol or sortie on SITL at 10×
def test_demo_flies_on_sitl_and_is_scored(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = subprocess.run(
        [sys.executable, "-m", "overwatch", "demo", "--headless", "--sitl", "--out", str(out)],
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert "ArduPilot SITL" in (out / "simulator.log").read_text()
    score = json.loads((out / "aar" / "score.json").read_text())
    assert score["lead_coverage"] >= 0.9, score["lead_coverage"]
    assert (out / "aar" / "flight.tlog").stat().st_size > 0
