"""A small scripted ArduCopter-like MAVLink peer for tests and benchmarks.

It speaks real MAVLink 2 (pymavlink encoding) over real loopback sockets or a
pty, answers commands, the mission protocol (with MISSION_REQUEST, as
ArduPilot does) and the parameter protocol, streams telemetry once asked
with MAV_CMD_SET_MESSAGE_INTERVAL, and can drop a fraction of the packets it
sends and receives to play a lossy radio.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.items import MissionItem, MissionType, as_ardupilot_stores

HOME_LAT_DEG = 13.5123456
HOME_LON_DEG = 2.1098765
HOME_ALT_MSL_M = 220.0

Writer = Callable[[bytes], None]


@dataclass
class ReceivedCommand:
    command: int
    confirmation: int
    params: tuple[float, ...]
    kind: str  # "long" or "int"


@dataclass
class _Receiving:
    count: int
    items: list[Any] = field(default_factory=list)
    last_request_s: float = 0.0


class _Out:
    def __init__(self, vehicle: ScriptedVehicle) -> None:
        self.vehicle = vehicle

    def write(self, packet: bytes) -> None:
        v = self.vehicle
        v.sent_packets += 1
        if v.silent or (v.drop_out and v.rng.random() < v.drop_out):
            return
        for writer in list(v.writers):
            writer(packet)


class ScriptedVehicle:
    """One scripted vehicle (autopilot component 1 of ``sysid``).

    ``command_results`` maps a MAV_CMD to the MAV_RESULT to answer, or None to
    stay silent; ``ignore_first`` maps a MAV_CMD to how many of its commands to
    ignore before answering. ``drop_in``/``drop_out`` are loss fractions.
    """

    def __init__(
        self,
        sysid: int = 1,
        *,
        heartbeat_hz: float = 10.0,
        drop_in: float = 0.0,
        drop_out: float = 0.0,
        seed: int = 1,
        signing_key: bytes | None = None,
        mission_retry_s: float = 0.1,
        mission_capacity: int = 700,
    ) -> None:
        self.sysid = sysid
        self.heartbeat_hz = heartbeat_hz
        self.drop_in = drop_in
        self.drop_out = drop_out
        self.rng = random.Random(seed)
        self.writers: list[Writer] = []
        self.mav = mavlink.MAVLink(_Out(self), srcSystem=sysid, srcComponent=1)
        self.mav.robust_parsing = True
        if signing_key is not None:
            self.mav.signing.secret_key = signing_key
            self.mav.signing.sign_outgoing = True
            self.mav.signing.timestamp = int((time.time() - 1420070400) * 1e5)
        self.silent = False
        #: the MAV_STATE its heartbeat says (ArduCopter says MAV_STATE_BOOT while it starts up)
        self.system_status = mavlink.MAV_STATE_STANDBY
        self.sent_packets = 0
        self.custom_mode = 0
        self.armed = False
        self.lat_deg, self.lon_deg, self.alt_rel_m = HOME_LAT_DEG, HOME_LON_DEG, 0.0
        self.command_results: dict[int, int | None] = {}
        self.ignore_first: dict[int, int] = {}
        self.commands: list[ReceivedCommand] = []
        self.position_targets: list[Any] = []
        self.streams: dict[int, tuple[float, float]] = {}  # msg id -> (interval s, next due s)
        self.missions: dict[int, list[Any]] = {0: [], 1: [], 2: []}
        self.receiving: dict[int, _Receiving] = {}
        self.mission_retry_s = mission_retry_s
        self.mission_capacity = mission_capacity
        self.mission_requests_sent = 0
        self.params: dict[str, tuple[float, int]] = {}
        self.param_skip_first_pass: set[int] = set()
        self.received_by_type: dict[str, int] = {}
        self.unsupported_streams: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._mode_changes: list[tuple[float, int]] = []

    # -- lifecycle ------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick_loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- receiving ----------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        messages = self.mav.parse_buffer(data) or []
        for msg in messages:
            kind = msg.get_type()
            if kind == "BAD_DATA":
                continue
            if self.drop_in and self.rng.random() < self.drop_in:
                continue
            target = getattr(msg, "target_system", None)
            if target not in (None, 0, self.sysid):
                continue
            self.received_by_type[kind] = self.received_by_type.get(kind, 0) + 1
            handler = getattr(self, f"_on_{kind.lower()}", None)
            if handler is not None:
                handler(msg)

    # -- commands -------------------------------------------------------------------

    def _ack(self, command: int, result: int) -> None:
        self.mav.command_ack_send(command, result, target_system=255, target_component=190)

    def _answer_command(
        self, command: int, params: tuple[float, ...], confirmation: int, kind: str
    ) -> None:
        self.commands.append(ReceivedCommand(command, confirmation, params, kind))
        to_ignore = self.ignore_first.get(command, 0)
        if to_ignore > 0:
            self.ignore_first[command] = to_ignore - 1
            return
        if command in self.command_results:
            result = self.command_results[command]
            if result is not None:
                self._ack(command, result)
            return
        result = mavlink.MAV_RESULT_ACCEPTED
        if command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
            self.armed = params[0] == 1
        elif command == mavlink.MAV_CMD_DO_SET_MODE:
            # ArduPilot acks first; the heartbeat shows the new mode a little later.
            loop = asyncio.get_running_loop()
            self._mode_changes.append((loop.time() + 0.05, int(params[1])))
        elif command == mavlink.MAV_CMD_SET_MESSAGE_INTERVAL:
            msg_id, interval_us = int(params[0]), params[1]
            if msg_id in self.unsupported_streams:
                result = mavlink.MAV_RESULT_UNSUPPORTED
            elif interval_us < 0:
                self.streams.pop(msg_id, None)
            else:
                self.streams[msg_id] = (interval_us / 1e6, 0.0)
        elif command == mavlink.MAV_CMD_REQUEST_MESSAGE:
            self._send_stream(int(params[0]))
        self._ack(command, result)
        if command == mavlink.MAV_CMD_COMPONENT_ARM_DISARM:
            self.send_heartbeat()

    def _on_command_long(self, m: Any) -> None:
        params = (m.param1, m.param2, m.param3, m.param4, m.param5, m.param6, m.param7)
        self._answer_command(m.command, params, m.confirmation, "long")

    def _on_command_int(self, m: Any) -> None:
        params = (m.param1, m.param2, m.param3, m.param4, m.x * 1e-7, m.y * 1e-7, m.z)
        self._answer_command(m.command, params, 0, "int")

    def _on_set_position_target_global_int(self, m: Any) -> None:
        self.position_targets.append(m)

    def _on_set_position_target_local_ned(self, m: Any) -> None:
        self.position_targets.append(m)

    # -- mission protocol ------------------------------------------------------------------

    def _request(self, mission_type: int, seq: int) -> None:
        self.mission_requests_sent += 1
        self.mav.mission_request_send(255, 190, seq, mission_type=mission_type)
        self.receiving[mission_type].last_request_s = asyncio.get_running_loop().time()

    def _mission_ack(self, mission_type: int, result: int) -> None:
        self.mav.mission_ack_send(255, 190, result, mission_type=mission_type)

    def _on_mission_count(self, m: Any) -> None:
        if m.count > self.mission_capacity:
            self._mission_ack(m.mission_type, mavlink.MAV_MISSION_NO_SPACE)
            return
        if m.count == 0:
            self.missions[m.mission_type] = []
            self._mission_ack(m.mission_type, mavlink.MAV_MISSION_ACCEPTED)
            return
        self.receiving[m.mission_type] = _Receiving(m.count)
        self._request(m.mission_type, 0)

    def _on_mission_item_int(self, m: Any) -> None:
        rx = self.receiving.get(m.mission_type)
        if rx is None:
            self._mission_ack(m.mission_type, mavlink.MAV_MISSION_ERROR)
            return
        if m.seq != len(rx.items):
            # ArduPilot answers an unexpected item so, and keeps receiving.
            self._mission_ack(m.mission_type, mavlink.MAV_MISSION_INVALID_SEQUENCE)
            return
        rx.items.append(m)
        if len(rx.items) < rx.count:
            self._request(m.mission_type, len(rx.items))
            return
        del self.receiving[m.mission_type]
        stored = []
        for seq, item in enumerate(rx.items):
            # ArduPilot keeps a compact form of each item, not the message
            kept = as_ardupilot_stores(
                MissionItem(
                    item.command,
                    item.frame,
                    item.param1,
                    item.param2,
                    item.param3,
                    item.param4,
                    item.x * 1e-7,
                    item.y * 1e-7,
                    item.z,
                    mission_type=MissionType(m.mission_type),
                )
            )
            frame, x, y, z = (
                kept.frame,
                round(kept.lat_deg * 1e7),
                round(kept.lon_deg * 1e7),
                kept.alt_m,
            )
            if m.mission_type == 0 and seq == 0:
                frame, x, y = 0, round(HOME_LAT_DEG * 1e7), round(HOME_LON_DEG * 1e7)
                z = HOME_ALT_MSL_M
            stored.append(
                (
                    frame,
                    item.command,
                    item.autocontinue,
                    kept.param1,
                    kept.param2,
                    kept.param3,
                    kept.param4,
                    x,
                    y,
                    z,
                )
            )
        self.missions[m.mission_type] = stored
        self._mission_ack(m.mission_type, mavlink.MAV_MISSION_ACCEPTED)

    def _on_mission_request_list(self, m: Any) -> None:
        self.mav.mission_count_send(
            255, 190, len(self.missions[m.mission_type]), mission_type=m.mission_type
        )

    def _send_item(self, mission_type: int, seq: int) -> None:
        items = self.missions[mission_type]
        if not 0 <= seq < len(items):
            self._mission_ack(mission_type, mavlink.MAV_MISSION_INVALID_SEQUENCE)
            return
        frame, command, autocontinue, p1, p2, p3, p4, x, y, z = items[seq]
        self.mav.mission_item_int_send(
            255,
            190,
            seq,
            frame,
            command,
            0,
            autocontinue,
            p1,
            p2,
            p3,
            p4,
            x,
            y,
            z,
            mission_type=mission_type,
        )

    def _on_mission_request_int(self, m: Any) -> None:
        self._send_item(m.mission_type, m.seq)

    def _on_mission_request(self, m: Any) -> None:
        self._send_item(m.mission_type, m.seq)

    def _on_mission_clear_all(self, m: Any) -> None:
        self.missions[m.mission_type] = []
        self._mission_ack(m.mission_type, mavlink.MAV_MISSION_ACCEPTED)

    # -- parameters ----------------------------------------------------------------------------

    def _send_param(self, index: int) -> None:
        name = list(self.params)[index]
        value, ptype = self.params[name]
        self.mav.param_value_send(name.encode(), value, ptype, len(self.params), index)

    def _on_param_request_list(self, _m: Any) -> None:
        for index in range(len(self.params)):
            if index in self.param_skip_first_pass:
                continue
            self._send_param(index)
        self.param_skip_first_pass = set()

    def _on_param_request_read(self, m: Any) -> None:
        names = list(self.params)
        if m.param_index >= 0:
            if m.param_index < len(names):
                self._send_param(m.param_index)
        elif m.param_id in self.params:
            self._send_param(names.index(m.param_id))

    def _on_param_set(self, m: Any) -> None:
        if m.param_id not in self.params:
            return
        _, ptype = self.params[m.param_id]
        value = (
            float(round(m.param_value)) if ptype != mavlink.MAV_PARAM_TYPE_REAL32 else m.param_value
        )
        self.params[m.param_id] = (value, ptype)
        self._send_param(list(self.params).index(m.param_id))

    # -- sending --------------------------------------------------------------------------------

    def send_heartbeat(self) -> None:
        base_mode = mavlink.MAV_MODE_FLAG_CUSTOM_MODE_ENABLED
        if self.armed:
            base_mode |= mavlink.MAV_MODE_FLAG_SAFETY_ARMED
        self.mav.heartbeat_send(
            mavlink.MAV_TYPE_QUADROTOR,
            mavlink.MAV_AUTOPILOT_ARDUPILOTMEGA,
            base_mode,
            self.custom_mode,
            self.system_status,
        )

    def _send_stream(self, msg_id: int) -> None:
        mav = self.mav
        if msg_id == mavlink.MAVLINK_MSG_ID_GLOBAL_POSITION_INT:
            mav.global_position_int_send(
                1000,
                round(self.lat_deg * 1e7),
                round(self.lon_deg * 1e7),
                round((HOME_ALT_MSL_M + self.alt_rel_m) * 1000),
                round(self.alt_rel_m * 1000),
                150,
                -250,
                50,
                9050,
            )
        elif msg_id == mavlink.MAVLINK_MSG_ID_ATTITUDE:
            mav.attitude_send(
                1000,
                math.radians(2.0),
                math.radians(-3.0),
                math.radians(90.5),
                0.0,
                0.0,
                math.radians(10.0),
            )
        elif msg_id == mavlink.MAVLINK_MSG_ID_SYS_STATUS:
            mav.sys_status_send(0, 0, 0, 500, 15800, 1234, 76, 0, 0, 0, 0, 0, 0)
        elif msg_id == mavlink.MAVLINK_MSG_ID_GPS_RAW_INT:
            mav.gps_raw_int_send(
                0,
                3,
                round(self.lat_deg * 1e7),
                round(self.lon_deg * 1e7),
                round(HOME_ALT_MSL_M * 1000),
                87,
                120,
                295,
                9050,
                14,
            )
        elif msg_id == mavlink.MAVLINK_MSG_ID_HOME_POSITION:
            mav.home_position_send(
                round(HOME_LAT_DEG * 1e7),
                round(HOME_LON_DEG * 1e7),
                round(HOME_ALT_MSL_M * 1000),
                0,
                0,
                0,
                [1, 0, 0, 0],
                0,
                0,
                0,
            )
        elif msg_id == mavlink.MAVLINK_MSG_ID_EXTENDED_SYS_STATE:
            landed = mavlink.MAV_LANDED_STATE_IN_AIR if self.alt_rel_m > 0.5 else 1
            mav.extended_sys_state_send(0, landed)
        elif msg_id == mavlink.MAVLINK_MSG_ID_EKF_STATUS_REPORT:
            mav.ekf_status_report_send(0x3FF, 0.1, 0.1, 0.1, 0.1, 0.0)
        elif msg_id == mavlink.MAVLINK_MSG_ID_BATTERY_STATUS:
            mav.battery_status_send(
                0,
                0,
                0,
                3000,
                [3950, 3950, 3950, 3950] + [65535] * 6,
                1234,
                800,
                -1,
                76,
                time_remaining=900,
            )
        elif msg_id == mavlink.MAVLINK_MSG_ID_VFR_HUD:
            mav.vfr_hud_send(0.0, 2.9, 90, 45, HOME_ALT_MSL_M + self.alt_rel_m, 0.5)
        elif msg_id == mavlink.MAVLINK_MSG_ID_MISSION_CURRENT:
            mav.mission_current_send(1)

    def send_statustext(self, text: str, severity: int = 6) -> None:
        self.mav.statustext_send(severity, text.encode())

    async def _tick_loop(self) -> None:
        loop = asyncio.get_running_loop()
        next_heartbeat_s = 0.0
        while True:
            now_s = loop.time()
            for due_s, mode in list(self._mode_changes):
                if now_s >= due_s:
                    self._mode_changes.remove((due_s, mode))
                    self.custom_mode = mode
                    self.send_heartbeat()
            if self.heartbeat_hz > 0 and now_s >= next_heartbeat_s:
                self.send_heartbeat()
                next_heartbeat_s = now_s + 1.0 / self.heartbeat_hz
            for msg_id, (interval_s, due_s) in list(self.streams.items()):
                if now_s >= due_s:
                    self._send_stream(msg_id)
                    self.streams[msg_id] = (interval_s, now_s + interval_s)
            for mission_type, rx in list(self.receiving.items()):
                if now_s - rx.last_request_s > self.mission_retry_s:
                    self._request(mission_type, len(rx.items))
            await asyncio.sleep(0.01)


class PeerHost:
    """Puts scripted vehicles on a real connection: TCP server, UDP socket or pty.

    All vehicles share the connection, as behind a MAVLink router.
    """

    def __init__(self, *vehicles: ScriptedVehicle) -> None:
        self.vehicles = list(vehicles) or [ScriptedVehicle()]
        self._server: asyncio.Server | None = None
        self._tcp_writers: list[asyncio.StreamWriter] = []
        self._udp: asyncio.DatagramTransport | None = None
        self._udp_peer: tuple[str, int] | None = None
        self._pty_fds: tuple[int, int] | None = None
        self._client_task: asyncio.Task[None] | None = None
        for vehicle in self.vehicles:
            vehicle.writers.append(self._write)

    @property
    def vehicle(self) -> ScriptedVehicle:
        return self.vehicles[0]

    def _write(self, data: bytes) -> None:
        for writer in self._tcp_writers:
            if not writer.is_closing():
                writer.write(data)
        if self._udp is not None and self._udp_peer is not None:
            self._udp.sendto(data, self._udp_peer)
        if self._pty_fds is not None:
            with contextlib.suppress(BlockingIOError, OSError):
                os.write(self._pty_fds[0], data)

    def _feed(self, data: bytes) -> None:
        for vehicle in self.vehicles:
            vehicle.feed(data)

    def inject(self, data: bytes) -> None:
        """Send raw bytes (garbage) down the connection."""
        self._write(data)

    def _start_vehicles(self) -> None:
        for vehicle in self.vehicles:
            vehicle.start()

    async def serve_tcp(self) -> int:
        """Listen on 127.0.0.1 (free port); returns the port."""

        async def on_client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self._tcp_writers.append(writer)
            try:
                while data := await reader.read(65536):
                    self._feed(data)
            except ConnectionError:
                pass
            finally:
                self._tcp_writers.remove(writer)
                writer.close()

        self._server = await asyncio.start_server(on_client, "127.0.0.1", 0)
        self._start_vehicles()
        return int(self._server.sockets[0].getsockname()[1])

    async def connect_tcp_to(self, port: int) -> None:
        """Connect to a ground station listening on 127.0.0.1:``port`` (``tcpin:``)."""
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        self._tcp_writers.append(writer)

        async def pump() -> None:
            with contextlib.suppress(ConnectionError):
                while data := await reader.read(65536):
                    self._feed(data)

        self._client_task = asyncio.create_task(pump())
        self._start_vehicles()

    async def drop_tcp_clients(self) -> None:
        for writer in list(self._tcp_writers):
            writer.close()

    async def _udp_endpoint(self, local: tuple[str, int], peer: tuple[str, int] | None) -> int:
        host = self

        class Proto(asyncio.DatagramProtocol):
            def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
                host._udp_peer = addr
                host._feed(data)

            def error_received(self, exc: Exception) -> None:
                pass

        loop = asyncio.get_running_loop()
        self._udp, _ = await loop.create_datagram_endpoint(Proto, local_addr=local)
        self._udp_peer = peer
        self._start_vehicles()
        return int(self._udp.get_extra_info("sockname")[1])

    async def serve_udp(self) -> int:
        """Bind a UDP port on 127.0.0.1 and answer whoever sends; returns the port."""
        return await self._udp_endpoint(("127.0.0.1", 0), None)

    async def send_udp_to(self, port: int) -> None:
        """Send from an ephemeral UDP port to 127.0.0.1:``port`` (a GCS listening udpin)."""
        await self._udp_endpoint(("127.0.0.1", 0), ("127.0.0.1", port))

    async def serve_pty(self) -> str:
        """Open a pty pair; returns the device path of the slave end (the "serial port")."""
        master, slave = os.openpty()
        os.set_blocking(master, False)
        self._pty_fds = (master, slave)
        device = os.ttyname(slave)

        def readable() -> None:
            try:
                data = os.read(master, 65536)
            except (BlockingIOError, OSError):
                return
            self._feed(data)

        asyncio.get_running_loop().add_reader(master, readable)
        self._start_vehicles()
        return device

    async def close(self) -> None:
        for vehicle in self.vehicles:
            await vehicle.stop()
        for writer in list(self._tcp_writers):
            writer.close()
        if self._client_task is not None:
            self._client_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._client_task
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        if self._udp is not None:
            self._udp.close()
        if self._pty_fds is not None:
            asyncio.get_running_loop().remove_reader(self._pty_fds[0])
            for fd in self._pty_fds:
                os.close(fd)
            self._pty_fds = None
