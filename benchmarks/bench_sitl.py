"""Real ArduPilot SITL (when ``ARDUPILOT_SITL`` names one): live lead coverage of the example
patrol against ArduPilot's own FOLLOW mode, both flown in the same run, side by side.

``overwatch sim --sitl --scenario`` runs the patrol, threats and stand-in detector beside
two SITL vehicles; one live session flies lead overwatch, the other the FOLLOW baseline;
each run is scored from the scenario's ground truth. SITL listens on every interface:
``just bench`` runs inside a loopback-only network namespace.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from benchmarks.harness import Result
from tests.ops.runs import fly

SPEEDUP = 10.0


def run(quick: bool) -> list[Result]:
    binary = os.environ.get("ARDUPILOT_SITL", "")
    if not binary or not os.access(binary, os.X_OK):
        print("  sitl: ARDUPILOT_SITL is not set to an arducopter binary: no SITL figures")
        return []
    with tempfile.TemporaryDirectory(prefix="bench-sitl-") as tmp:
        return asyncio.run(_measure(Path(tmp), binary))


async def _measure(run_dir: Path, binary: str) -> list[Result]:
    lead, follow = await asyncio.gather(
        fly(run_dir / "lead", mode="lead", speedup=SPEEDUP, sitl=binary),
        fly(run_dir / "follow", mode="follow-baseline", speedup=SPEEDUP, sitl=binary),
    )
    lead_pct = 100.0 * lead.score.lead_coverage
    follow_pct = 100.0 * follow.score.lead_coverage
    cued = [t.lead_s for t in lead.score.threats]
    return [
        Result(
            "sitl",
            "live lead coverage, example patrol, real SITL",
            lead_pct,
            "%",
            "FOLLOW baseline, same run",
            follow_pct,
            "lead ≥ 95 %",
            lead_pct >= 95.0,
            note=f"longest gap {lead.score.longest_gap_m:.0f} m; threats cued "
            + ", ".join("missed" if s is None else f"{s:.0f} s" for s in cued)
            + " before the patrol",
        )
    ]
