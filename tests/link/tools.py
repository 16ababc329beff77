"""Real peers for the connection tests: socat's pty bridge, MAVProxy, the built-in simulator.

Each is a child process started here and stopped by its own PID.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MAVPROXY = Path(sys.executable).parent / "mavproxy.py"


async def _stop(process: asyncio.subprocess.Process) -> None:
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), 10)
        except TimeoutError:
            process.kill()
            await process.wait()


@asynccontextmanager
async def socat_radio(tcp_port: int, where: Path) -> AsyncIterator[Path]:
    """A pty whose other end is the vehicle's TCP port: a serial telemetry radio stand-in.

    Yields the pty's path (a symlink socat makes in ``where``); what is
    written to it reaches the vehicle and what the vehicle sends can be read
    from it, as over a USB radio.
    """
    socat = shutil.which("socat")
    assert socat is not None, "socat is not installed (scripts/sysdeps.sh installs it)"
    device = where / f"radio-{tcp_port}"
    process = await asyncio.create_subprocess_exec(
        socat,
        f"pty,raw,echo=0,link={device}",
        f"tcp:127.0.0.1:{tcp_port}",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(30):
            while not device.exists():
                if process.returncode is not None:
                    assert process.stderr is not None
                    raise AssertionError(f"socat ended: {(await process.stderr.read()).decode()}")
                await asyncio.sleep(0.02)
        yield device
    finally:
        await _stop(process)


class MavProxy:
    """``mavproxy.py`` as a child process; its console lines are collected as they come.

    ``interactive`` keeps its command prompt on a pipe (``command()``);
    otherwise it runs as a daemon, a pure router between its master and outs.
    """

    def __init__(self, master: str, *outs: str, state_dir: Path, interactive: bool = False):
        self.args = ["--master", master]
        for out in outs:
            self.args += ["--out", out]
        self.args += ["--state-basedir", str(state_dir), "--logfile", str(state_dir / "mav.tlog")]
        if interactive:
            self.args += ["--default-modules", "mode,cmdlong"]
        else:
            self.args += ["--default-modules", "", "--daemon", "--non-interactive"]
        self.lines: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._new_line = asyncio.Event()

    async def start(self) -> MavProxy:
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(MAVPROXY),
            *self.args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        async for raw in self._process.stdout:
            self.lines.append(raw.decode(errors="replace").rstrip())
            self._new_line.set()

    async def wait_for(self, text: str, timeout_s: float = 60.0) -> str:
        """The first console line containing ``text`` (waiting for it)."""
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    for line in self.lines:
                        if text in line:
                            return line
                    self._new_line.clear()
                    await self._new_line.wait()
        except TimeoutError:
            raise AssertionError(
                f"MAVProxy never printed {text!r}; it said:\n" + "\n".join(self.lines)
            ) from None

    def command(self, line: str) -> None:
        """Type a command at MAVProxy's prompt."""
        assert self._process is not None and self._process.stdin is not None
        self._process.stdin.write(line.encode() + b"\n")

    async def stop(self) -> None:
        if self._process is not None:
            await _stop(self._process)
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def __aenter__(self) -> MavProxy:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


@asynccontextmanager
async def simulator(*extra: str, speedup: float = 10.0) -> AsyncIterator[str]:
    """The built-in simulator on a free TCP port (plus ``extra`` options); yields its URL."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--base-port",
        "0",
        "--speedup",
        f"{speedup:g}",
        "--gps-delay",
        "0.5",
        "--ekf-delay",
        "1",
        *extra,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 60)).decode()
        assert line.startswith("vehicle 1: tcp:"), line
        yield line.split(": ", 1)[1].strip()
    finally:
        await _stop(process)
