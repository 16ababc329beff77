"""Launch a real ArduPilot SITL ``arducopter`` binary, laid out like the built-in simulator.

Each instance runs in a fresh temporary working directory (SITL writes
``eeprom.bin`` and logs there), with the quad ``+`` model, the copter
defaults shipped with this package (``simulator/params/copter.parm``), its
own ``--sysid`` and ``-I`` instance number, and ``--serial0 tcp:0`` so it
boots without waiting for a client. Its TCP port is 5760 + 10·instance
(from ``base_port``), and :meth:`SitlInstance.start` returns the URL.

The binary comes from the ``binary`` argument or the ``ARDUPILOT_SITL``
environment variable.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from overwatch.errors import SimulatorError

ENV_VAR = "ARDUPILOT_SITL"
DEFAULT_BASE_PORT = 5760
DEFAULT_PARAMS = Path(__file__).resolve().parent / "params" / "copter.parm"


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
    defaults: tuple[Path, ...] = (DEFAULT_PARAMS,)
    base_port: int = DEFAULT_BASE_PORT
    host: str = "127.0.0.1"
    extra_args: tuple[str, ...] = ()
    workdir: Path | None = None
    _process: asyncio.subprocess.Process | None = field(default=None, init=False, repr=False)
    _own_workdir: bool = field(default=False, init=False, repr=False)

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
    def running(self) -> bool:
        """The process has been started and has not exited."""
        return self._process is not None and self._process.returncode is None

    def command(self, binary: Path | None = None) -> list[str]:
        """The command line that starts this instance."""
        exe = binary if binary is not None else find_binary(self.binary)
        lat, lon, alt, heading = self.home
        args = [str(exe)]
        if self.base_port != DEFAULT_BASE_PORT:
            args += ["--base-port", str(self.base_port)]  # SITL wants it before -I
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
            ",".join(str(p) for p in self.defaults),
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
        for path in self.defaults:
            if not Path(path).is_file():
                raise SimulatorError(f"SITL defaults file {str(path)!r} does not exist")
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix=f"overwatch-sitl-{self.instance}-"))
            self._own_workdir = True
        log = (self.workdir / "sitl.log").open("wb")
        try:
            self._process = await asyncio.create_subprocess_exec(
                *self.command(binary),
                cwd=self.workdir,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                stdin=asyncio.subprocess.DEVNULL,
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
            return self.url
        await self.stop()
        raise SimulatorError(f"ArduPilot SITL did not open {self.url} within {timeout_s:g} s")

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
