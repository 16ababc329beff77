"""Run as a subprocess by test_power_loss: writes through a live session until killed.

``python -m tests.ops.power_loss_writer RUN_DIR`` does what ``overwatch run``
does with a run directory — writes ``run.json``, builds the
:class:`~overwatch.ops.session.LiveSession` (which reopens the cue store
there) — and then, as fast as it can: adds a sighting to the session's cue
book (as the sightings feed does), acknowledges the new cue through the
session's operator command (as the UI does), and every few cues updates the
``inputs`` counts in ``run.json`` (as the session's reporting task does).

Each line on stdout is printed only after the call it reports has returned:

- ``START <n>``: the session is up with ``n`` cues replayed from the store
- ``CUE <id> <ref>``: ``add_sighting`` returned the new cue
- ``ACK <id>``: ``acknowledge_cue`` returned
- ``RUN <acked>``: ``run.json`` now says ``inputs.writer_acked = acked``
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path

from overwatch.cues import CueKind, CueSource, CueStatus, Sighting
from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.inputs import write_input_counts
from overwatch.ops.session import LiveSession, SessionConfig
from overwatch.scoring.rundir import RunManifest

ROOT = Path(__file__).resolve().parents[2]
MISSION = ROOT / "missions" / "vehicle-patrol.yaml"
RUN_EVERY = 3


def sighting(n: int) -> Sighting:
    """The ``n``-th sighting: a kilometre from every other, so none fuse."""
    return Sighting(
        CueKind.PERSON,
        10.0 + (n % 500) * 0.01,
        2.0 + (n // 500) * 0.01,
        10.0,
        1_800_000_000.0 + n,
        0.5,
        CueSource.CAMERA,
        ref=f"w{n}",
    )


async def main(run_dir: Path) -> None:
    RunManifest(
        mission=MISSION,
        scenario=None,
        started_utc=datetime.now(UTC),
        speedup=1.0,
        mode="lead",
    ).write(run_dir)
    geometry = MissionGeometry.of(load_mission(MISSION))
    session = LiveSession(
        geometry,
        SessionConfig(
            connect="udpin:127.0.0.1:0", patrol_feed="nmea+udp://127.0.0.1:0", run_dir=run_dir
        ),
    )
    book = session.cues
    print(f"START {len(book)}", flush=True)
    acked = sum(c.status is CueStatus.ACKNOWLEDGED for c in book.cues())
    while True:
        n = len(book) + 1
        cue = book.add_sighting(sighting(n))
        print(f"CUE {cue.id} w{n}", flush=True)
        await session.commands.acknowledge_cue(cue.id)
        acked += 1
        print(f"ACK {cue.id}", flush=True)
        if acked % RUN_EVERY == 0:
            write_input_counts(run_dir, {**session.input_counts(), "writer_acked": acked})
            print(f"RUN {acked}", flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1])))
