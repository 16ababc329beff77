"""``python -m overwatch.video.record SOURCE OUT_DIR`` — record a stream into MPEG-TS segments.

Receives SOURCE (``udp://…``, an ``.sdp`` file, ``rtsp://…``), reconnects by
itself, and writes ``OUT_DIR/video-<time>-<n>.ts`` segments without
re-encoding until interrupted (SIGINT/SIGTERM).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from overwatch.errors import VideoError
from overwatch.video.receiver import VideoReceiver


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m overwatch.video.record", description=__doc__)
    parser.add_argument("source", help="udp://host:port, an .sdp file, rtsp://… or a file")
    parser.add_argument("out_dir", type=Path, help="folder for the .ts segments")
    parser.add_argument("--segment-s", type=float, default=10.0, help="segment length, s")
    args = parser.parse_args(argv)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    try:
        receiver = VideoReceiver(args.source, record_dir=args.out_dir, segment_s=args.segment_s)
    except VideoError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    receiver.start()
    print("recording", flush=True)
    while not done.wait(0.5):
        if receiver.finished.is_set():
            break
    receiver.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
