"""The MAVLink link: one reader task owns the connection and publishes typed events.

The link acts as a ground station over MAVLink 2 (sysid 255 by default,
compid 190, HEARTBEAT at 1 Hz). Every vehicle heard gets a :class:`Vehicle`
facade (``link.vehicle(sysid)``) and a :class:`VehicleState`. Subscribers get
events through callbacks (``add_listener``) or async iterators (``events``);
a subscriber that raises is logged and the link carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import AsyncGenerator, Callable, Sequence
from typing import Any, TypeVar

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import LinkError, LinkTimeout
from overwatch.link import events as ev
from overwatch.link.decode import Decoder, event_from, new_mavlink
from overwatch.link.forward import FrameSplitter, Out
from overwatch.link.state import VehicleState
from overwatch.link.tlog import TlogWriter
from overwatch.link.transports import Transport, open_transport
from overwatch.link.vehicle import Vehicle

log = logging.getLogger(__name__)

E = TypeVar("E", bound=ev.Event)
Listener = Callable[[ev.Event], object]

GCS_COMPID = mavlink.MAV_COMP_ID_MISSIONPLANNER  # 190
#: MAVLink 2 signing timestamps count 10 µs units since 2015-01-01 00:00 UTC.
_SIGNING_EPOCH_S = 1420070400


def signing_timestamp_now() -> int:
    """Now as a MAVLink 2 signing timestamp (10 µs units since 2015-01-01 UTC)."""
    return int((time.time() - _SIGNING_EPOCH_S) * 1e5)


#: a vehicle whose heartbeat says this is still starting up (MAV_STATE_UNINIT, MAV_STATE_BOOT)
BOOTING = frozenset({mavlink.MAV_STATE_UNINIT, mavlink.MAV_STATE_BOOT})


class _Waiter:
    __slots__ = ("future", "predicate")

    def __init__(self, predicate: Callable[[ev.Event], bool], future: asyncio.Future[ev.Event]):
        self.predicate = predicate
        self.future = future


class _Sink:
    """pymavlink writes packed packets here: to the transport and the tlog."""

    def __init__(self, link: Link) -> None:
        self.link = link

    def write(self, packet: bytes) -> None:
        self.link.transport.write(packet)
        if self.link.tlog is not None:
            self.link.tlog.write(packet)


class Link:
    """A MAVLink connection acting as a ground control station.

    ``connection`` is a URL (see :mod:`overwatch.link.transports`) or a
    :class:`Transport`. ``link_lost_after_s`` is how long a vehicle may be
    silent before :class:`LinkLost` is published. ``tlog_path`` records every
    packet in and out. ``signing_key`` (32 bytes) signs outgoing packets and
    rejects unsigned incoming ones. ``outs`` are connection URLs (or
    transports) that share the vehicle's traffic both ways with other ground
    stations (see :mod:`overwatch.link.forward`).

    Use as ``async with Link("tcp:127.0.0.1:5760") as link: ...``.
    """

    def __init__(
        self,
        connection: str | Transport,
        *,
        sysid: int = 255,
        compid: int = GCS_COMPID,
        heartbeat_hz: float = 1.0,
        link_lost_after_s: float = 3.0,
        tlog_path: str | os.PathLike[str] | None = None,
        signing_key: bytes | None = None,
        signing_link_id: int = 0,
        outs: Sequence[str | Transport] = (),
    ) -> None:
        self.transport = open_transport(connection) if isinstance(connection, str) else connection
        self.outs = [Out(out) for out in outs]
        self._out_splitter = FrameSplitter()
        self.sysid = sysid
        self.compid = compid
        self.heartbeat_hz = heartbeat_hz
        self.link_lost_after_s = link_lost_after_s
        self.mav = new_mavlink(sysid, compid)
        self.mav.file = _Sink(self)
        self.decoder = Decoder(self.mav)
        if signing_key is not None:
            self.enable_signing(signing_key, signing_link_id)
        self.tlog = TlogWriter(tlog_path) if tlog_path is not None else None
        self.listener_errors = 0
        self.ended = asyncio.Event()
        self._vehicles: dict[int, Vehicle] = {}
        self._states: dict[int, VehicleState] = {}
        self._listeners: tuple[tuple[Listener, int | None], ...] = ()
        self._waiters: list[_Waiter] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._new_vehicle = asyncio.Event()

    # -- lifecycle ---------------------------------------------------------

    async def start(self) -> Link:
        """Open the transport and start the reader, heartbeat and watchdog tasks."""
        try:
            await self.transport.open()
        except BaseException:
            if self.tlog is not None:
                self.tlog.close()
            raise
        self._tasks = [
            asyncio.create_task(self._read_loop(), name="mavlink-reader"),
            asyncio.create_task(self._watchdog_loop(), name="mavlink-watchdog"),
        ]
        if self.heartbeat_hz > 0:
            self._tasks.append(asyncio.create_task(self._heartbeat_loop(), name="mavlink-hb"))
        for out in self.outs:
            self._tasks.append(
                asyncio.create_task(out.run(self._from_out), name=f"out {out.description}")
            )
        return self

    async def close(self) -> None:
        """Stop the tasks, close the transport and the tlog. Safe to call twice."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []
        for out in self.outs:
            await out.close()
        await self.transport.close()
        if self.tlog is not None:
            self.tlog.close()
        for waiter in self._waiters:
            if not waiter.future.done():
                waiter.future.set_exception(LinkError("link closed"))
        self._waiters.clear()

    async def __aenter__(self) -> Link:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- counters -----------------------------------------------------------

    @property
    def bad_packets(self) -> int:
        """Packets (or stretches of bytes) that could not be decoded."""
        return int(self.decoder.bad_packets)

    @property
    def rejected_signature(self) -> int:
        """Packets refused because they were unsigned or wrongly signed."""
        return int(self.decoder.rejected_signature)

    @property
    def messages_received(self) -> int:
        return int(self.decoder.messages)

    # -- signing -------------------------------------------------------------

    @property
    def signing(self) -> bool:
        """True when the link signs what it sends and refuses unsigned packets."""
        return self.mav.signing.secret_key is not None

    def enable_signing(self, key: bytes, link_id: int = 0) -> None:
        """Sign everything sent from now on with ``key`` (32 bytes), and drop unsigned or
        wrongly signed packets from the vehicle (counted in :attr:`rejected_signature`)."""
        if len(key) != 32:
            raise LinkError(f"signing key must be 32 bytes, got {len(key)}")
        signing = self.mav.signing
        signing.secret_key = bytes(key)
        signing.link_id = link_id
        signing.sign_outgoing = True
        # never behind what this link has already stamped or accepted
        signing.timestamp = max(signing.timestamp, signing_timestamp_now())
        signing.stream_timestamps = {}

    @property
    def heard_signed(self) -> bool:
        """True when signed packets arrived on a link without a key: the vehicle signs,
        and will ignore what this link sends unsigned."""
        return not self.signing and self.mav.signing.sig_count > 0

    def disable_signing(self) -> None:
        """Send unsigned and accept unsigned packets again."""
        self.mav.signing.secret_key = None
        self.mav.signing.sign_outgoing = False

    # -- vehicles -------------------------------------------------------------

    def vehicle(self, sysid: int = 1, compid: int = 1) -> Vehicle:
        """The facade for vehicle ``sysid`` (its autopilot at ``compid``), created on first use."""
        vehicle = self._vehicles.get(sysid)
        if vehicle is None:
            vehicle = self._vehicles[sysid] = Vehicle(self, self._state(sysid), compid)
        return vehicle

    @property
    def vehicles(self) -> dict[int, Vehicle]:
        """Vehicles heard so far (or asked for), by sysid."""
        return dict(self._vehicles)

    async def wait_vehicle(
        self, timeout_s: float | None = 10.0, *, sysid: int | None = None
    ) -> Vehicle:
        """The first vehicle heard whose heartbeat says it has booted (``sysid``: that one).
        Raises :class:`LinkTimeout` after ``timeout_s`` (None: waits as long as it takes).

        ArduCopter sets its initial mode (STABILIZE) at the end of its start-up, and
        takes commands while it starts up: a mode set before then is overwritten (measured
        on a SITL that a busy machine made slow to start). Its heartbeat says
        ``MAV_STATE_BOOT`` until then.
        """

        async def first() -> Vehicle:
            while True:
                for vehicle in self._vehicles.values():
                    state = vehicle.state
                    wanted = sysid is None or vehicle.sysid == sysid
                    if wanted and state.heartbeat_seen and state.system_status not in BOOTING:
                        return vehicle
                self._new_vehicle.clear()
                await self._new_vehicle.wait()

        try:
            async with asyncio.timeout(timeout_s):
                return await first()
        except TimeoutError:
            booting = [
                v.sysid
                for v in self._vehicles.values()
                if v.state.heartbeat_seen and sysid in (None, v.sysid)
            ]
            if booting:
                raise LinkTimeout(
                    f"vehicle {booting[0]} on {self.transport.description} was still booting "
                    f"(MAV_STATE_BOOT) after {timeout_s:g} s"
                ) from None
            which = "no vehicle heartbeat" if sysid is None else f"no heartbeat of vehicle {sysid}"
            raise LinkTimeout(
                f"{which} on {self.transport.description} within {timeout_s:g} s"
            ) from None

    def _state(self, sysid: int) -> VehicleState:
        state = self._states.get(sysid)
        if state is None:
            state = self._states[sysid] = VehicleState(sysid)
        return state

    # -- sending -----------------------------------------------------------------

    def send(self, message: Any) -> None:
        """Encode and send one pymavlink message object (signed if signing is on)."""
        self.mav.send(message)

    def encoder_as(self, sysid: int, compid: int = 1) -> Any:
        """A pymavlink codec that sends through this link as another system.

        For a companion source on the same link, such as the patrol's tracker
        that ArduPilot FOLLOW mode follows (``FOLL_SYSID``). Its packets are
        written to the transport and the tlog like the link's own.
        """
        codec = new_mavlink(sysid, compid)
        codec.file = _Sink(self)
        # the same signing state: one key, one timestamp that only goes forward
        codec.signing = self.mav.signing
        return codec

    # -- subscribing -----------------------------------------------------------

    def add_listener(self, listener: Listener, *, sysid: int | None = None) -> Callable[[], None]:
        """Call ``listener(event)`` for every event (of ``sysid`` if given); returns a remover."""
        entry = (listener, sysid)
        self._listeners = (*self._listeners, entry)

        def remove() -> None:
            self._listeners = tuple(e for e in self._listeners if e is not entry)

        return remove

    async def events(
        self, *types: type[E], sysid: int | None = None, maxsize: int = 1000
    ) -> AsyncGenerator[E, None]:
        """Async iterator over events of ``types`` (all if none given).

        A slow consumer loses its oldest events rather than holding up the link.
        """
        queue: asyncio.Queue[E] = asyncio.Queue(maxsize)

        def put(event: ev.Event) -> None:
            if types and not isinstance(event, types):
                return
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)  # type: ignore[arg-type]

        remove = self.add_listener(put, sysid=sysid)
        try:
            while True:
                yield await queue.get()
        finally:
            remove()

    async def wait_for(
        self, predicate: Callable[[ev.Event], bool], timeout_s: float, what: str = "an answer"
    ) -> ev.Event:
        """The next event satisfying ``predicate``; :class:`LinkTimeout` naming ``what``."""
        future: asyncio.Future[ev.Event] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(predicate, future)
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(timeout_s):
                return await future
        except TimeoutError:
            raise LinkTimeout(f"no {what} within {timeout_s:g} s") from None
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.remove(waiter)

    def waiter(self, predicate: Callable[[ev.Event], bool]) -> asyncio.Future[ev.Event]:
        """A future resolved by the next matching event; register before sending a request.

        The caller must :meth:`cancel_waiter` it if it stops waiting.
        """
        future: asyncio.Future[ev.Event] = asyncio.get_running_loop().create_future()
        self._waiters.append(_Waiter(predicate, future))
        return future

    def cancel_waiter(self, future: asyncio.Future[ev.Event]) -> None:
        future.cancel()
        self._waiters = [w for w in self._waiters if w.future is not future]

    # -- the reader ---------------------------------------------------------------

    async def _read_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            data = await self.transport.read()
            if not data:
                self.ended.set()
                return
            if self.outs:
                self._forward(data)
            self.receive(data, loop.time())

    def _forward(self, data: bytes) -> None:
        for frame in self._out_splitter.feed(data):
            for out in self.outs:
                out.send(frame)

    def _from_out(self, frame: bytes) -> None:
        """A frame another ground station sent on an out: to the vehicle, untouched."""
        try:
            self.transport.write(frame)
        except Exception:
            log.exception("cannot pass a frame from an out to the vehicle; carrying on")

    def receive(self, data: bytes, now_s: float) -> None:
        """Decode ``data`` and publish its events, as if the transport had read it at ``now_s``.

        The reader task calls this; it is public so a capture can be pushed
        through the whole decode path (benchmarks, offline analysis).
        """
        try:
            messages = self.decoder.feed(data)
        except Exception:  # pymavlink should not raise in robust mode; never die if it does
            log.exception("MAVLink decoder failed on %d bytes", len(data))
            self.decoder.bad_packets += 1
            return
        for message in messages:
            self._handle(message, now_s)

    def _handle(self, message: Any, now_s: float) -> None:
        header = message._header
        sysid = header.srcSystem
        compid = header.srcComponent
        if sysid == self.sysid and compid == self.compid:
            return  # our own packets, echoed (broadcast UDP, replayed tlog)
        if self.tlog is not None:
            self.tlog.write(bytes(message.get_msgbuf()))
        state = self._states.get(sysid)
        if state is None:
            state = self.vehicle(sysid).state
        state.note_packet(compid, header.seq, now_s)
        if state.link_lost:
            state.link_lost = False
            self._publish(ev.LinkRecovered(sysid, compid, now_s - state.lost_since_s))
        try:
            event = event_from(message, sysid, compid)
            if event is None:
                return
            state.apply(event, now_s)
        except Exception:  # a packet with values we cannot take is dropped, not fatal
            log.exception("cannot decode %s from %d/%d", message.get_type(), sysid, compid)
            self.decoder.bad_packets += 1
            return
        if type(event) is ev.Heartbeat and state.heartbeat_seen:
            self._new_vehicle.set()
        self._publish(event)

    def _publish(self, event: ev.Event) -> None:
        if self._waiters:
            self._resolve_waiters(event)
        for listener, sysid in self._listeners:
            if sysid is not None and event.sysid != sysid:
                continue
            try:
                listener(event)
            except Exception:
                self.listener_errors += 1
                log.exception("event listener %r failed on %r; carrying on", listener, event)

    def _resolve_waiters(self, event: ev.Event) -> None:
        for waiter in list(self._waiters):
            if waiter.future.done():
                continue
            try:
                matched = waiter.predicate(event)
            except Exception:
                log.exception("waiter predicate failed")
                continue
            if matched:
                waiter.future.set_result(event)
                self._waiters.remove(waiter)

    # -- periodic tasks ------------------------------------------------------------

    async def _heartbeat_loop(self) -> None:
        period_s = 1.0 / self.heartbeat_hz
        while True:
            self.mav.heartbeat_send(
                type=mavlink.MAV_TYPE_GCS,
                autopilot=mavlink.MAV_AUTOPILOT_INVALID,
                base_mode=0,
                custom_mode=0,
                system_status=mavlink.MAV_STATE_ACTIVE,
            )
            await asyncio.sleep(period_s)

    async def _watchdog_loop(self) -> None:
        loop = asyncio.get_running_loop()
        period_s = min(0.25, self.link_lost_after_s / 4)
        while True:
            await asyncio.sleep(period_s)
            now_s = loop.time()
            for state in list(self._states.values()):
                age_s = state.age_s(now_s)
                if age_s is not None and not state.link_lost and age_s > self.link_lost_after_s:
                    state.link_lost = True
                    state.lost_since_s = state.last_message_s or now_s
                    self._publish(ev.LinkLost(state.sysid, 0, age_s))
