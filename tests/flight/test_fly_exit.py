"""``overwatch fly`` exits 0 only when the mission was flown: a failsafe return exits 1.

The command runs as a child process; once it reports the second navigation
item reached, the cable (the test's proxy) is cut past the vehicle's GCS
failsafe, so the vehicle returns and lands on its own. The command must say the
flight is incomplete and exit 1, not 0.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys

from overwatch.ops.flight_progress import nav_seqs
from tests.flight.backends import SHORT_ROAD, Backend, gcs_failsafe_timeout_s
from tests.flight.helpers import REPO, plan_of


async def test_a_failsafe_return_exits_1_with_flight_incomplete(builtin: Backend) -> None:
    running = await builtin.start(SHORT_ROAD)
    nav = nav_seqs(plan_of(SHORT_ROAD).sorties[0].items)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "overwatch", "fly", str(SHORT_ROAD),
        "--connect", running.url, "--speedup", f"{running.speedup:g}",
        "--flight-timeout", "300",
        cwd=REPO,
        env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    try:
        async with asyncio.timeout(240):
            while True:
                raw = await process.stdout.readline()
                assert raw, "the command ended before the second item:\n" + "".join(lines)
                lines.append(raw.decode())
                hit = re.match(r"item (\d+) \(\w+\) reached", lines[-1])
                if hit and int(hit[1]) >= nav[1]:
                    break
            running.proxy.cut()
            await asyncio.sleep(
                max(1.0, 3 * gcs_failsafe_timeout_s(running.speedup) / running.speedup)
            )
            running.proxy.restore()
            rest, err = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    out = "".join(lines) + rest.decode()
    assert process.returncode == 1, out + err.decode()
    assert "flight incomplete" in out and "RTL" in out
    assert "flight complete" not in out
    assert "Traceback" not in err.decode()
