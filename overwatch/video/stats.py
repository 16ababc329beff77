"""Rolling receive statistics: frame rate, bitrate, drops, latency, reconnects."""

from __future__ import annotations

import statistics
import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class StreamStats:
    """A snapshot of the receiver's health over the last ``window_s`` seconds.

    ``connected`` means the source is open *and* data arrived within the window;
    ``fps`` decoded frames per second; ``bitrate_bps`` compressed bits per
    second; ``frames_dropped`` frames missing from the capture-stamp sequence
    since start; ``latency_*_ms`` capture → decoded (None without stamps).
    """

    connected: bool
    fps: float
    bitrate_bps: float
    frames_decoded: int
    frames_dropped: int
    decode_errors: int
    reconnects: int
    latency_median_ms: float | None
    latency_last_ms: float | None
    last_frame_unix_s: float | None
    last_error: str | None


class StatsTracker:
    """Collects receive events from the decoder thread; :meth:`snapshot` from any thread."""

    def __init__(self, window_s: float = 2.0) -> None:
        self.window_s = window_s
        self._lock = threading.Lock()
        self._frames: deque[float] = deque()
        self._bytes: deque[tuple[float, int]] = deque()
        self._latency_ms: deque[tuple[float, float]] = deque()
        self._frames_decoded = 0
        self._dropped = 0
        self._decode_errors = 0
        self._reconnects = 0
        self._last_seq: int | None = None
        self._connected = False
        self._last_frame_unix_s: float | None = None
        self._last_error: str | None = None

    def packet(self, size_bytes: int) -> None:
        with self._lock:
            self._bytes.append((time.monotonic(), size_bytes))

    def frame(self, receive_unix_s: float, seq: int | None, latency_s: float | None) -> None:
        now = time.monotonic()
        with self._lock:
            self._frames_decoded += 1
            self._frames.append(now)
            self._last_frame_unix_s = receive_unix_s
            if seq is not None:
                if self._last_seq is not None and seq > self._last_seq + 1:
                    self._dropped += seq - self._last_seq - 1
                self._last_seq = seq
            if latency_s is not None:
                self._latency_ms.append((now, latency_s * 1000.0))

    def decode_error(self, message: str) -> None:
        with self._lock:
            self._decode_errors += 1
            self._last_error = message

    def connection(self, connected: bool, error: str | None = None) -> None:
        with self._lock:
            if connected and not self._connected and self._frames_decoded:
                self._reconnects += 1
            self._connected = connected
            if error is not None:
                self._last_error = error

    def snapshot(self) -> StreamStats:
        now = time.monotonic()
        with self._lock:
            cutoff = now - self.window_s
            while self._frames and self._frames[0] < cutoff:
                self._frames.popleft()
            while self._bytes and self._bytes[0][0] < cutoff:
                self._bytes.popleft()
            while self._latency_ms and self._latency_ms[0][0] < cutoff:
                self._latency_ms.popleft()
            latencies = [lat for _, lat in self._latency_ms]
            return StreamStats(
                connected=self._connected and bool(self._bytes),
                fps=len(self._frames) / self.window_s,
                bitrate_bps=8.0 * sum(n for _, n in self._bytes) / self.window_s,
                frames_decoded=self._frames_decoded,
                frames_dropped=self._dropped,
                decode_errors=self._decode_errors,
                reconnects=self._reconnects,
                latency_median_ms=statistics.median(latencies) if latencies else None,
                latency_last_ms=latencies[-1] if latencies else None,
                last_frame_unix_s=self._last_frame_unix_s,
                last_error=self._last_error,
            )
