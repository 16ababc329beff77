"""Record the received stream without re-encoding into segmented MPEG-TS files.

Each segment starts on a keyframe and is written as ``<name>.ts.part``; when
it is full (``segment_s`` seconds) it is closed, synced to disk, renamed to
``<name>.ts`` and the folder synced. A crash, a ``kill -9`` or a power loss
therefore loses at most the ``.part`` segment being written, and every ``.ts``
file is complete and plays on its own.
"""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import av

from overwatch.durable import sync_folder
from overwatch.errors import VideoError


class SegmentedRecorder:
    """Remuxes demuxed packets of one video stream into ``out_dir``.

    Call :meth:`write` from the demux thread for every packet; :meth:`new_source`
    after a reconnect (the next segment starts at the next keyframe);
    :meth:`close` at the end.
    """

    def __init__(self, out_dir: Path, *, segment_s: float = 10.0, prefix: str = "video") -> None:
        if segment_s <= 0:
            raise VideoError(f"recording segment length must be > 0 s, got {segment_s}")
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise VideoError(f"cannot create recording folder {str(out_dir)!r}: {exc}") from exc
        self.out_dir = out_dir
        self.segment_s = segment_s
        self.prefix = prefix
        self.finished: list[Path] = []
        self._out: Any = None
        self._out_stream: Any = None
        self._part: Path | None = None
        self._started_at = 0.0
        self._last_dts: int | None = None
        self._count = 0

    def new_source(self) -> None:
        """The input changed (reconnect): finish the current segment."""
        self._finish()

    def write(self, packet: Any, in_stream: Any) -> None:
        """Add one demuxed packet of ``in_stream``."""
        if packet.size == 0 or packet.pts is None:
            return
        keyframe = bool(packet.is_keyframe)
        if self._out is None:
            if not keyframe:
                return
            self._open(in_stream)
        elif keyframe and time.monotonic() - self._started_at >= self.segment_s:
            self._finish()
            self._open(in_stream)
        dts = packet.dts if packet.dts is not None else packet.pts
        if self._last_dts is not None and dts <= self._last_dts:
            return  # a muxer refuses non-increasing timestamps
        self._last_dts = dts
        packet.dts = dts
        packet.stream = self._out_stream
        self._out.mux(packet)

    def _open(self, in_stream: Any) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        self._count += 1
        self._part = self.out_dir / f"{self.prefix}-{stamp}-{self._count:05d}.ts.part"
        try:
            self._out = av.open(str(self._part), "w", format="mpegts")
        except (av.FFmpegError, OSError) as exc:
            raise VideoError(f"cannot write recording segment {str(self._part)!r}: {exc}") from exc
        self._out_stream = self._out.add_stream_from_template(in_stream)
        self._started_at = time.monotonic()
        self._last_dts = None

    def _finish(self) -> None:
        if self._out is None or self._part is None:
            return
        part, out = self._part, self._out
        self._out = None
        self._part = None
        out.close()
        final = part.with_suffix("")  # drop ".part"
        try:
            # the segment's bytes on disk before its final name is: a ``.ts`` is whole
            fd = os.open(part, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(part, final)
        except OSError as exc:
            raise VideoError(f"cannot finish recording segment {str(part)!r}: {exc}") from exc
        sync_folder(self.out_dir)
        self.finished.append(final)

    def close(self) -> None:
        """Finish the segment being written."""
        self._finish()
