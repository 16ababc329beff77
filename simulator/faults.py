"""Fault injection on a link, as a wrapper around a frame transport.

``FaultyLink`` sits between a transport (TCP connection, UDP socket) and
the vehicle and treats each MAVLink frame the way a poor radio link would:
it drops frames (a separate percentage each way), delays them (latency plus
uniform jitter, which may reorder them), duplicates them, flips a byte in
them (the receiver's CRC check then discards them), and drops everything
during outages. Times are *simulated* seconds, like every other timer of the
simulator; random draws come from generators seeded per direction, so a seed
gives the same faults run after run.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from overwatch.errors import SimulatorError


@dataclass(frozen=True)
class LinkFaults:
    """What to do to a link. Percentages are 0–100; times in simulated seconds/ms.

    ``loss_up_pct`` applies to frames towards the vehicle (uplink, from the
    ground station), ``loss_down_pct`` to frames from it. ``outages`` lists
    ``(start_s, end_s)`` spans of simulated time during which nothing passes.
    """

    loss_up_pct: float = 0.0
    loss_down_pct: float = 0.0
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    duplicate_pct: float = 0.0
    corrupt_pct: float = 0.0
    outages: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("loss_up_pct", "loss_down_pct", "duplicate_pct", "corrupt_pct"):
            value = getattr(self, name)
            if not 0.0 <= value <= 100.0:
                raise SimulatorError(f"fault {name} must be a percentage in [0, 100], got {value}")
        for name in ("latency_ms", "jitter_ms"):
            if getattr(self, name) < 0.0:
                raise SimulatorError(
                    f"fault {name} must not be negative, got {getattr(self, name)}"
                )
        for start, end in self.outages:
            if end < start:
                raise SimulatorError(f"link outage ({start}, {end}) ends before it starts")

    @classmethod
    def symmetric_loss(cls, loss_pct: float, **kwargs: float | int) -> LinkFaults:
        """The same loss both ways."""
        return cls(loss_up_pct=loss_pct, loss_down_pct=loss_pct, **kwargs)  # type: ignore[arg-type]

    @property
    def active(self) -> bool:
        return bool(
            self.loss_up_pct
            or self.loss_down_pct
            or self.latency_ms
            or self.jitter_ms
            or self.duplicate_pct
            or self.corrupt_pct
            or self.outages
        )

    def in_outage(self, now_s: float) -> bool:
        return any(start <= now_s < end for start, end in self.outages)


FrameSink = Callable[[bytes], None]
"""Where a frame goes: a transport's ``send_frame``, or the vehicle's input."""


@dataclass
class FaultStats:
    """Frames seen and what happened to them, per direction."""

    passed: int = 0
    dropped: int = 0
    duplicated: int = 0
    corrupted: int = 0


class _Direction:
    def __init__(self, faults: LinkFaults, loss_pct: float, seed: str, sink: FrameSink) -> None:
        self.faults = faults
        self.loss = loss_pct / 100.0
        self.rng = random.Random(seed)
        self.sink = sink
        self.queue: list[tuple[float, int, bytes]] = []
        self.counter = 0
        self.stats = FaultStats()

    def offer(self, frame: bytes, now_s: float) -> None:
        f = self.faults
        rng = self.rng
        if f.in_outage(now_s) or (self.loss and rng.random() < self.loss):
            self.stats.dropped += 1
            return
        copies = 1
        if f.duplicate_pct and rng.random() * 100.0 < f.duplicate_pct:
            copies = 2
            self.stats.duplicated += 1
        if f.corrupt_pct and rng.random() * 100.0 < f.corrupt_pct and len(frame) > 1:
            data = bytearray(frame)
            i = rng.randrange(1, len(data))
            data[i] ^= 1 << rng.randrange(8)
            frame = bytes(data)
            self.stats.corrupted += 1
        for _ in range(copies):
            delay_s = (
                f.latency_ms + (rng.uniform(0.0, f.jitter_ms) if f.jitter_ms else 0.0)
            ) / 1000.0
            self.stats.passed += 1
            if delay_s <= 0.0:
                self.sink(frame)
            else:
                self.counter += 1
                heapq.heappush(self.queue, (now_s + delay_s, self.counter, frame))

    def release(self, now_s: float) -> None:
        q = self.queue
        while q and q[0][0] <= now_s:
            self.sink(heapq.heappop(q)[2])


class FaultyLink:
    """Applies ``faults`` to frames going down (``send``) and up (``receive``).

    ``transmit`` writes to the real transport; ``deliver`` hands frames to
    the vehicle; ``now`` gives simulated seconds. Delayed frames leave when
    ``pump()`` is called at or after their time.
    """

    def __init__(
        self,
        faults: LinkFaults,
        transmit: FrameSink,
        deliver: FrameSink,
        now: Callable[[], float],
        stream_id: int = 0,
    ) -> None:
        self.faults = faults
        self._now = now
        seed = f"{faults.seed}:{stream_id}"
        self.down = _Direction(faults, faults.loss_down_pct, seed + ":down", transmit)
        self.up = _Direction(faults, faults.loss_up_pct, seed + ":up", deliver)
        self._active = faults.active

    def send(self, frame: bytes) -> None:
        """A frame from the vehicle towards the ground station."""
        if self._active:
            self.down.offer(frame, self._now())
        else:
            self.down.sink(frame)

    def receive(self, frame: bytes) -> None:
        """A frame from the ground station towards the vehicle."""
        if self._active:
            self.up.offer(frame, self._now())
        else:
            self.up.sink(frame)

    def pump(self) -> None:
        """Release delayed frames that are due."""
        if self._active:
            now = self._now()
            self.down.release(now)
            self.up.release(now)


class FrameSplitter:
    """Cuts a byte stream into MAVLink v1/v2 frames (no CRC check: the parser does that)."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[bytes]:
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        while buf:
            stx = buf[0]
            if stx not in (0xFD, 0xFE):
                nxt = _next_stx(buf)
                del buf[: nxt if nxt > 0 else len(buf)]
                continue
            if len(buf) < 3:
                break
            size = 12 + buf[1] + (13 if buf[2] & 1 else 0) if stx == 253 else 8 + buf[1]
            if len(buf) < size:
                break
            frames.append(bytes(buf[:size]))
            del buf[:size]
        return frames


def _next_stx(buf: bytearray) -> int:
    a = buf.find(b"\xfd", 1)
    b = buf.find(b"\xfe", 1)
    candidates = [i for i in (a, b) if i > 0]
    return min(candidates) if candidates else -1
