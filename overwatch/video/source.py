"""Open a video source with PyAV: ``udp://`` MPEG-TS, RTP via an ``.sdp`` file, ``rtsp://``, files.

Live sources are opened for low latency (no input buffering, tiny probe, no
RTP reorder queue); all opens and reads time out so a dead stream raises
instead of hanging.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av

from overwatch.errors import VideoError

LIVE_SCHEMES = ("udp://", "rtp://", "rtsp://", "rtsps://", "srt://", "tcp://")


@dataclass(frozen=True)
class SourceSpec:
    """What to open and how. ``is_live`` sources are reconnected after a drop."""

    uri: str
    is_live: bool
    format: str | None
    options: dict[str, str]


def describe_source(uri: str, *, rtsp_transport: str = "tcp") -> SourceSpec:
    """Decide how to open ``uri`` (a URL, an ``.sdp`` file or a media file).

    Raises :class:`VideoError` for a file that does not exist or a scheme PyAV cannot read.
    """
    low_latency = {"fflags": "nobuffer", "flags": "low_delay", "probesize": "32768"}
    if uri.startswith("rtsp://") or uri.startswith("rtsps://"):
        return SourceSpec(uri, True, None, {**low_latency, "rtsp_transport": rtsp_transport})
    if uri.startswith("udp://") or uri.startswith("rtp://"):
        sep = "&" if "?" in uri else "?"
        url = f"{uri}{sep}fifo_size=1000000&overrun_nonfatal=1"
        return SourceSpec(url, True, None, {**low_latency, "analyzeduration": "500000"})
    if "://" in uri and not uri.startswith("file://"):
        scheme = uri.split("://", 1)[0]
        raise VideoError(
            f"video source {uri!r}: scheme {scheme!r} is not supported "
            "(expected udp://, rtp://, rtsp://, an .sdp file or a media file)"
        )
    path = Path(uri.removeprefix("file://"))
    if not path.is_file():
        raise VideoError(f"video source {str(path)!r}: no such file")
    if path.suffix.lower() == ".sdp":
        options = {
            **low_latency,
            "protocol_whitelist": "file,udp,rtp",
            "reorder_queue_size": "0",
            "analyzeduration": "500000",
        }
        return SourceSpec(str(path), True, "sdp", options)
    return SourceSpec(str(path), False, None, {})


def open_source(spec: SourceSpec, *, open_timeout_s: float, read_timeout_s: float) -> Any:
    """Open ``spec`` with PyAV; raises :class:`VideoError` naming the source on failure."""
    try:
        return av.open(
            spec.uri,
            format=spec.format,
            options=spec.options,
            timeout=(open_timeout_s, read_timeout_s),
        )
    except (av.FFmpegError, OSError) as exc:
        raise VideoError(f"cannot open video source {spec.uri!r}: {exc}") from exc
