"""kill -9 a writer process: no acknowledged cue is lost, and the log replays."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from overwatch.cues import CueBook, CueStatus

REPO = Path(__file__).resolve().parents[2]


def test_kill_9_loses_no_acknowledged_cue(tmp_path: Path) -> None:
    path = tmp_path / "cues.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.cues.crash_writer", str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            acked.append(line.split()[1])
            if len(acked) >= 40:
                os.kill(proc.pid, signal.SIGKILL)  # mid-stream, no chance to clean up
                break
        proc.wait(10.0)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10.0)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL
    assert len(acked) >= 40

    book = CueBook(path)  # replays the log
    try:
        for cue_id in acked:
            assert book.get(cue_id).status is CueStatus.ACKNOWLEDGED, cue_id
        # the writer may have got further than what it printed, never less
        assert len(book) >= len(acked)
        n = int(acked[-1].split("-")[1])
        assert book.get(acked[-1]).lat_deg == 13.5 + n * 0.01
        # the book goes on where the dead writer stopped
        assert book.mark(13.5, 2.1, "object").id == f"cue-{len(book):04d}"
    finally:
        book.close()
