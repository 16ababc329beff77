"""The picture reaches a real TAK server's other users, and their markers come back as cues.

FreeTAKServer (installed by scripts/takserver.sh into .venv-takserver) runs
in namespaces of its own: a network namespace whose only interface is
loopback, a PID namespace (so none of its processes outlives the test), and
a mount namespace where /opt — where FreeTAKServer keeps its
database and certificates — is a directory of this test's (the rest of
/opt is bound back in unchanged). The session connects over TLS with the
.p12 client certificate FreeTAKServer made; pytak, over TLS with the PEM
pair, is the second TAK client.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from overwatch.cues.tak import OWN_UID_PREFIX

REPO = Path(__file__).resolve().parents[2]
SERVER_PYTHON = REPO / ".venv-takserver" / "bin" / "python"

# /opt is replaced by a tmpfs in this mount namespace only; its entries are bound back in,
# and /opt/fts is the test's own directory.
_SETUP = r"""
set -eu
state="$1"; shift
ip link set lo up
mkdir -p "$state/opt-was" "$state/fts"
mount --bind /opt "$state/opt-was"
mount -t tmpfs tmpfs /opt
for entry in "$state"/opt-was/*; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    if [ -d "$entry" ]; then mkdir "/opt/$name"; else touch "/opt/$name"; fi
    mount --bind "$entry" "/opt/$name"
done
mkdir /opt/fts
mount --bind "$state/fts" /opt/fts
exec "$@"
"""


def test_a_second_tak_client_sees_the_picture_and_its_marker_becomes_a_cue(
    tmp_path: Path,
) -> None:
    if not SERVER_PYTHON.exists():
        pytest.fail("FreeTAKServer is not installed: run 'just takserver' (scripts/takserver.sh)")
    unshare = shutil.which("unshare")
    assert unshare is not None, "unshare (util-linux) is needed: scripts/sysdeps.sh"
    if os.geteuid() != 0:
        pytest.fail("FreeTAKServer needs a mount namespace: run this test as root")
    done = subprocess.run(
        [
            unshare,
            "--net",
            "--mount",
            "--propagation",
            "private",
            # a PID namespace too: however this ends, nothing started in it outlives it
            "--pid",
            "--fork",
            "--kill-child",
            "sh",
            "-c",
            _SETUP,
            "setup",
            str(tmp_path),
            sys.executable,
            "-m",
            "tests.cot.takserver",
            str(tmp_path),
            str(SERVER_PYTHON),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-8000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    # the drone, its sensor footprint, the patrol and the cue all reached the other client
    assert seen["types"] == sorted(["a-f-A-M-H-Q", "u-d-f", "a-f-G-U-C", "cue"])
    assert seen["drone_uid"].startswith("overwatch-uav-") and seen["sensor"]
    assert seen["video_url"] == "rtsp://10.20.30.40:8554/overwatch"
    assert seen["footprint_points"] >= 4
    assert seen["patrol_uid"].startswith("overwatch-patrol-")
    assert seen["cue_uid"].startswith(OWN_UID_PREFIX)
    assert seen["cue_at"] == pytest.approx(seen["marked_at"], abs=1e-6)
    # and the hostile marker the other client dropped came back through the server as a cue
    assert len(seen["marker_cues"]) == 1, seen["marker_cues"]
    back = seen["marker_cues"][0]
    assert back["source"] == "tak"
    assert [back["lat"], back["lon"]] == pytest.approx(seen["marker_at"], abs=1e-6)
    assert back["confidence"] >= 0.7  # hostile (a-h-G), not unknown
