"""Launch a real ArduPilot SITL ``arducopter`` binary, laid out like the built-in simulator.

Each instance runs in a fresh temporary working directory (SITL writes
``eeprom.bin`` and logs there), with the quad ``+`` model, its own
``--sysid`` and ``-I`` instance number, and ``--serial0 tcp:0`` so it boots
without waiting for a client. Its TCP port is 5760 + 10·instance (from
``base_port``), and :meth:`SitlInstance.start` returns the URL; serial1
(port + 2) is a second MAVLink port, for a watcher such as the training
scenario that needs the vehicle's pose.

Parameters come in layers, later ones winning: ArduPilot's own SITL copter
defaults (INS calibration and the rest, ``Tools/autotest/default_params/
copter.parm``), then this package's (``simulator/params/copter.parm``,
ArduCopter 4.8 names and units), then any ``params`` of the instance. Once
SITL serves, every parameter of the last two layers is checked against the
firmware's own list: one the firmware knows under another version's name is
set under that name, converted to its units; one it does not know at all is
an error naming it.

The binary comes from the ``binary`` argument or the ``ARDUPILOT_SITL``
environment variable; ArduPilot's defaults from ``ARDUPILOT_PARAMS``, else a
``copter.parm`` beside the binary, else the ArduPilot tree it was built in.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from pymavlink.dialects.v20 import ardupilotmega as mavlink

from overwatch.errors import SimulatorError
from overwatch.param_names import alternatives, convert
from overwatch.process import end_with_parent

ENV_VAR = "ARDUPILOT_SITL"
PARAMS_ENV_VAR = "ARDUPILOT_PARAMS"
DEFAULT_BASE_PORT = 5760
DEFAULT_PARAMS = Path(__file__).resolve().parent / "params" / "copter.parm"
#: where ArduPilot keeps its SITL copter defaults, relative to its source tree
ARDUPILOT_TREE_PARAMS = Path("Tools/autotest/default_params/copter.parm")


#: set to 1 to start SITL where other network interfaces than loopback are up
EXPOSED_ENV_VAR = "OVERWATCH_SITL_ANY_INTERFACE"


def outside_interfaces() -> list[str]:
    """Network interfaces of this namespace besides loopback: SITL would listen on them."""
    return sorted(name for _, name in socket.if_nameindex() if name != "lo")


def check_isolated() -> None:
    """Refuse to start SITL where its ports would be open to a network.

    ArduPilot SITL's TCP (and RC-input UDP) ports listen on every interface. Run
    it in a loopback-only network namespace (``scripts/loopback-only.sh …``), or
    set ``OVERWATCH_SITL_ANY_INTERFACE=1`` to accept that exposure.
    """
    others = outside_interfaces()
    if others and os.environ.get(EXPOSED_ENV_VAR) != "1":
        raise SimulatorError(
            f"ArduPilot SITL listens on every network interface, and this machine has "
            f"{', '.join(others)} besides loopback: run it in a loopback-only namespace "
            f"(bash scripts/loopback-only.sh overwatch …), or set {EXPOSED_ENV_VAR}=1 to "
            "accept the exposure"
        )


def find_ardupilot_defaults(binary: Path) -> Path:
    """ArduPilot's own SITL copter defaults for ``binary``.

    ``$ARDUPILOT_PARAMS`` if set, else ``copter.parm`` beside the binary, else
    ``Tools/autotest/default_params/copter.parm`` in the ArduPilot tree the
    binary was built in (``build/sitl/bin/arducopter``).
    """
    raw = os.environ.get(PARAMS_ENV_VAR, "")
    if raw:
        path = Path(raw).expanduser()
        if not path.is_file():
            raise SimulatorError(f"{PARAMS_ENV_VAR}={raw!r} is not a file")
        return path
    beside = binary.parent / "copter.parm"
    if beside.is_file():
        return beside
    for parent in binary.resolve().parents:
        candidate = parent / ARDUPILOT_TREE_PARAMS
        if candidate.is_file():
            return candidate
    raise SimulatorError(
        f"ArduPilot's SITL copter defaults were not found for {str(binary)!r} (without them "
        f"SITL cannot arm: 'PreArm: 3D Accel calibration needed'): set {PARAMS_ENV_VAR}="
        f"/path/to/ardupilot/{ARDUPILOT_TREE_PARAMS}, or put copter.parm beside the binary"
    )


@dataclass(frozen=True)
class ParmLine:
    """One ``NAME VALUE`` line of a ``.parm`` file."""

    name: str
    value: float
    where: str  # "file:line"


def read_parm(path: Path) -> list[ParmLine]:
    """The ``NAME VALUE`` lines of an ArduPilot ``.parm`` file (``#`` starts a comment)."""
    lines: list[ParmLine] = []
    for number, raw in enumerate(path.read_text().splitlines(), start=1):
        text = raw.split("#", 1)[0].replace(",", " ").split()
        if not text:
            continue
        where = f"{path}:{number}"
        if len(text) != 2:
            raise SimulatorError(f"{where}: expected 'NAME VALUE', found {raw.strip()!r}")
        try:
            value = float(text[1])
        except ValueError:
            raise SimulatorError(
                f"{where}: {text[0]}: the value {text[1]!r} is not a number"
            ) from None
        lines.append(ParmLine(text[0].upper(), value, where))
    return lines


def find_binary(binary: str | os.PathLike[str] | None = None) -> Path:
    """The arducopter SITL binary: ``binary`` if given, else ``$ARDUPILOT_SITL``."""
    raw = os.fspath(binary) if binary is not None else os.environ.get(ENV_VAR, "")
    if not raw:
        raise SimulatorError(
            f"no ArduPilot SITL binary given: pass its path or set {ENV_VAR}=/path/to/arducopter"
        )
    path = Path(raw).expanduser()
    if not path.is_file():
        found = shutil.which(raw)
        if found is None:
            raise SimulatorError(
                f"ArduPilot SITL binary {raw!r} not found "
                f"(from {'argument' if binary else ENV_VAR}); "
                f"set {ENV_VAR}=/path/to/arducopter"
            )
        path = Path(found)
    if not os.access(path, os.X_OK):
        raise SimulatorError(f"ArduPilot SITL binary {str(path)!r} is not executable ({ENV_VAR})")
    return path


@dataclass
class SitlInstance:
    """One real SITL process. ``home`` is (lat_deg, lon_deg, alt_msl_m, heading_deg)."""

    home: tuple[float, float, float, float]
    binary: str | os.PathLike[str] | None = None
    instance: int = 0
    sysid: int | None = None
    speedup: float = 1.0
    model: str = "+"
    #: the defaults files SITL loads, in order; None: ArduPilot's own, then ours
    defaults: tuple[Path, ...] | None = None
    #: parameters set on top of the defaults files (any ArduPilot version's names)
    params: Mapping[str, float] = field(default_factory=dict)
    #: check our parameters against the firmware's own list once SITL serves
    check_params: bool = True
    base_port: int = DEFAULT_BASE_PORT
    host: str = "127.0.0.1"
    extra_args: tuple[str, ...] = ()
    workdir: Path | None = None
    _process: asyncio.subprocess.Process | None = field(default=None, init=False, repr=False)
    _own_workdir: bool = field(default=False, init=False, repr=False)
    _params_file: Path | None = field(default=None, init=False, repr=False)
    #: what the parameter check did: names set under another version's name
    translated: dict[str, str] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 <= self.instance <= 255:
            raise SimulatorError(f"SITL instance must be in 0..255, got {self.instance}")
        if self.speedup <= 0:
            raise SimulatorError(f"SITL speed-up must be positive, got {self.speedup}")
        sysid = self.instance + 1 if self.sysid is None else self.sysid
        if not 1 <= sysid <= 254:
            raise SimulatorError(f"SITL system id must be in 1..254, got {sysid}")
        self.sysid = sysid

    @property
    def port(self) -> int:
        """The TCP port SITL's serial0 listens on."""
        return self.base_port + 10 * self.instance

    @property
    def url(self) -> str:
        return f"tcp:{self.host}:{self.port}"

    @property
    def watch_url(self) -> str:
        """SITL's serial1: a second MAVLink port, for a watcher beside the ground station."""
        return f"tcp:{self.host}:{self.port + 2}"

    def layers(self, binary: Path) -> tuple[Path, ...]:
        """The defaults files SITL loads, in order (later ones win)."""
        files = (
            (find_ardupilot_defaults(binary), DEFAULT_PARAMS)
            if self.defaults is None
            else self.defaults
        )
        if self._params_file is not None:
            files += (self._params_file,)
        return files

    @property
    def running(self) -> bool:
        """The process has been started and has not exited."""
        return self._process is not None and self._process.returncode is None

    def command(self, binary: Path | None = None) -> list[str]:
        """The command line that starts this instance."""
        exe = binary if binary is not None else find_binary(self.binary)
        lat, lon, alt, heading = self.home
        args = [str(exe)]
        if self.base_port != DEFAULT_BASE_PORT:
            # SITL adds 10·instance to its ports only while they are its defaults: give
            # this instance's own, and an RC-input port beside them (UDP)
            args += ["--base-port", str(self.port), "--rc-in-port", str(self.port + 4)]
        args += [
            "-I",
            str(self.instance),
            "--model",
            self.model,
            "--home",
            f"{lat:.7f},{lon:.7f},{alt:.2f},{heading:.1f}",
            "--speedup",
            f"{self.speedup:g}",
            "--defaults",
            ",".join(str(p) for p in self.layers(exe)),
            "--sysid",
            str(self.sysid),
            "--serial0",
            "tcp:0",
            *self.extra_args,
        ]
        return args

    async def start(self, timeout_s: float = 30.0) -> str:
        """Start SITL and wait until its TCP port accepts connections; returns the URL."""
        binary = find_binary(self.binary)
        check_isolated()
        for path in self.layers(binary):
            if not Path(path).is_file():
                raise SimulatorError(f"SITL defaults file {str(path)!r} does not exist")
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"overwatch-sitl-{self.instance}-"))
            self._own_workdir = True
        if self.params:
            self._params_file = self.workdir / "overwatch-params.parm"
            self._params_file.write_text(
                "".join(f"{name.upper()} {value!r}\n" for name, value in self.params.items())
            )
        log = (self.workdir / "sitl.log").open("wb")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.command(binary),
                cwd=self.workdir,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
                preexec_fn=end_with_parent,
            )
        finally:
            log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._process.returncode is not None:
                raise SimulatorError(
                    f"ArduPilot SITL exited with code {self._process.returncode} before serving "
                    f"{self.url}; its output:\n{self._log_tail()}"
                )
            try:
                _, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                await asyncio.sleep(0.2)
                continue
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            if self.check_params:
                try:
                    await self._check_parameters(binary, max(10.0, deadline - time.monotonic()))
                except BaseException:
                    await self.stop()
                    raise
            return self.url
        await self.stop()
        raise SimulatorError(f"ArduPilot SITL did not open {self.url} within {timeout_s:g} s")

    async def _check_parameters(self, binary: Path, timeout_s: float) -> None:
        """Check our layers against the firmware's parameter list (see the module docstring)."""
        layers = self.layers(binary)
        ours = layers[1:] if self.defaults is None else layers
        wanted: dict[str, ParmLine] = {}
        for path in ours:
            for line in read_parm(Path(path)):
                wanted[line.name] = line
        async with _ParamClient(self.host, self.port, self.sysid or 1) as client:
            firmware = await client.fetch_all(timeout_s)
            unknown: list[str] = []
            for name, line in wanted.items():
                if name in firmware:
                    continue
                other = next((n for n in alternatives(name)[1:] if n in firmware), None)
                if other is None:
                    unknown.append(f"{name} ({line.where})")
                    continue
                await client.set(other, convert(line.value, name, other), firmware[other][1])
                self.translated[name] = other
        if unknown:
            raise SimulatorError(
                f"ArduPilot SITL {str(binary)!r} has no parameter "
                + ", ".join(unknown)
                + " under any name Overwatch knows (overwatch/param_names.py); "
                "fix the name, or add its rename there"
            )

    def _log_tail(self, lines: int = 20) -> str:
        if self.workdir is None:
            return ""
        path = self.workdir / "sitl.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])

    async def stop(self) -> None:
        """Terminate the process (it is killed if it lingers) and remove its temporary directory."""
        proc = self._process
        if proc is not None and proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 5.0)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        self._process = None
        if self._own_workdir and self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
            self._own_workdir = False

    async def __aenter__(self) -> SitlInstance:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()


class _ParamClient:
    """Just enough of a ground station to read and set SITL's parameters at boot."""

    def __init__(self, host: str, port: int, sysid: int) -> None:
        self.host, self.port, self.sysid = host, port, sysid
        self._mav = mavlink.MAVLink(
            None, srcSystem=254, srcComponent=mavlink.MAV_COMP_ID_ONBOARD_COMPUTER
        )
        self._mav.robust_parsing = True
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> _ParamClient:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()

    def _send(self, msg: Any) -> None:
        assert self._writer is not None
        self._writer.write(msg.pack(self._mav))

    async def _messages(self, wait_s: float) -> list[Any]:
        assert self._reader is not None
        try:
            async with asyncio.timeout(wait_s):
                chunk = await self._reader.read(65536)
        except TimeoutError:
            return []
        if not chunk:
            raise SimulatorError(f"ArduPilot SITL closed tcp:{self.host}:{self.port}")
        return list(self._mav.parse_buffer(chunk) or [])

    async def fetch_all(self, timeout_s: float) -> dict[str, tuple[float, int]]:
        """Every parameter: name → (value, MAV_PARAM_TYPE)."""
        values: dict[str, tuple[float, int]] = {}
        indices: set[int] = set()
        count: int | None = None
        deadline = time.monotonic() + timeout_s
        self._send(mavlink.MAVLink_param_request_list_message(self.sysid, 1))
        asked_s = time.monotonic()
        while count is None or len(indices) < count:
            now_s = time.monotonic()
            if now_s > deadline:
                raise SimulatorError(
                    f"ArduPilot SITL sent {len(indices)} of {count or '?'} parameters "
                    f"within {timeout_s:g} s"
                )
            messages = await self._messages(0.5)
            # heartbeats keep coming even when no parameter does (a request sent while
            # SITL was still booting is ignored): ask again after a second without one
            before = len(indices)
            for msg in messages:
                if msg.get_type() == "PARAM_VALUE":
                    values[_param_name(msg.param_id)] = (float(msg.param_value), msg.param_type)
                    count = msg.param_count
                    if 0 <= msg.param_index < msg.param_count:
                        indices.add(msg.param_index)
            if len(indices) > before:
                asked_s = now_s
            elif now_s - asked_s > 1.0:
                asked_s = now_s
                if not indices or count is None:
                    self._send(mavlink.MAVLink_param_request_list_message(self.sysid, 1))
                else:
                    for index in sorted(set(range(count)) - indices)[:50]:
                        self._send(
                            mavlink.MAVLink_param_request_read_message(self.sysid, 1, b"", index)
                        )
        return values

    async def set(self, name: str, value: float, param_type: int) -> None:
        for _ in range(5):
            self._send(
                mavlink.MAVLink_param_set_message(
                    self.sysid, 1, name.encode("ascii"), value, param_type
                )
            )
            until = time.monotonic() + 1.0
            while time.monotonic() < until:
                for msg in await self._messages(0.5):
                    if msg.get_type() == "PARAM_VALUE" and _param_name(msg.param_id) == name:
                        return
        raise SimulatorError(f"ArduPilot SITL did not confirm {name} = {value:g}")


def _param_name(raw: str | bytes) -> str:
    text = raw.decode("ascii", "replace") if isinstance(raw, bytes) else raw
    return text.rstrip("\x00")


async def launch_sitl(
    home: tuple[float, float, float, float],
    binary: str | os.PathLike[str] | None = None,
    instance: int = 0,
    speedup: float = 1.0,
    sysid: int | None = None,
) -> tuple[SitlInstance, str]:
    """Start one SITL instance; returns it (call ``await inst.stop()``) and its tcp URL."""
    inst = SitlInstance(home=home, binary=binary, instance=instance, speedup=speedup, sysid=sysid)
    url = await inst.start()
    return inst, url
