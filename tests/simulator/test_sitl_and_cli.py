"""The real-SITL launcher (without a binary) and the command line."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pymavlink.dialects.v20 import ardupilotmega as mav

from overwatch.errors import SimulatorError
from simulator.cli import build_parser, faults_from, run_sim
from simulator.sitl import (
    DEFAULT_PARAMS,
    SitlInstance,
    find_ardupilot_defaults,
    find_binary,
    read_parm,
)

HOME4 = (13.5, 2.1, 220.0, 90.0)


def _fake_binary(tmp_path: Path) -> Path:
    exe = tmp_path / "arducopter"
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "copter.parm").write_text("FRAME_CLASS 1\n")  # ArduPilot's own, beside it
    return exe


def test_sitl_command_line(tmp_path: Path) -> None:
    exe = _fake_binary(tmp_path)
    inst = SitlInstance(home=HOME4, binary=exe, instance=2, speedup=5)
    cmd = inst.command()
    assert cmd[0] == str(exe)
    joined = " ".join(cmd)
    assert "-I 2" in joined and "--model +" in joined and "--speedup 5" in joined
    assert "--home 13.5000000,2.1000000,220.00,90.0" in joined
    assert f"--defaults {tmp_path / 'copter.parm'},{DEFAULT_PARAMS}" in joined
    assert "--sysid 3" in joined and "--serial0 tcp:0" in joined
    assert "--base-port" not in joined
    assert inst.url == "tcp:127.0.0.1:5780"
    other = SitlInstance(home=HOME4, binary=exe, base_port=6000, sysid=9).command()
    assert other.index("--base-port") < other.index("-I")
    # SITL adds nothing for the instance to a base port it is given: the launcher does
    third = SitlInstance(home=HOME4, binary=exe, base_port=6000, instance=1)
    joined = " ".join(third.command())
    assert "--base-port 6010 --rc-in-port 6014" in joined and third.url == "tcp:127.0.0.1:6010"
    assert DEFAULT_PARAMS.is_file()
    text = DEFAULT_PARAMS.read_text()
    assert "FRAME_CLASS" in text and "FS_GCS_ENABLE" in text


def test_ardupilot_defaults_are_found_or_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARDUPILOT_PARAMS", raising=False)
    tree = tmp_path / "ardupilot"
    exe = tree / "build" / "sitl" / "bin" / "arducopter"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\nexit 0\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(SimulatorError, match=r"ARDUPILOT_PARAMS=.*copter\.parm"):
        find_ardupilot_defaults(exe)
    in_tree = tree / "Tools" / "autotest" / "default_params" / "copter.parm"
    in_tree.parent.mkdir(parents=True)
    in_tree.write_text("FRAME_CLASS 1\n")
    assert find_ardupilot_defaults(exe) == in_tree  # the tree it was built in
    beside = exe.parent / "copter.parm"
    beside.write_text("FRAME_CLASS 1\n")
    assert find_ardupilot_defaults(exe) == beside  # beside the binary comes first
    chosen = tmp_path / "mine.parm"
    chosen.write_text("FRAME_CLASS 1\n")
    monkeypatch.setenv("ARDUPILOT_PARAMS", str(chosen))
    assert find_ardupilot_defaults(exe) == chosen  # the environment first of all
    monkeypatch.setenv("ARDUPILOT_PARAMS", str(tmp_path / "none.parm"))
    with pytest.raises(SimulatorError, match="is not a file"):
        find_ardupilot_defaults(exe)


def test_parm_files_are_read_with_located_errors(tmp_path: Path) -> None:
    good = read_parm(DEFAULT_PARAMS)
    assert {"FRAME_CLASS", "WP_SPD", "RTL_ALT_M"} <= {line.name for line in good}
    bad = tmp_path / "bad.parm"
    bad.write_text("# comment\nWP_SPD 5\nRTL_ALT_M fifteen\n")
    with pytest.raises(SimulatorError, match=r"bad.parm:3: RTL_ALT_M: the value 'fifteen'"):
        read_parm(bad)


def test_missing_binary_names_the_environment_variable(tmp_path: Path) -> None:
    with pytest.raises(SimulatorError, match="ARDUPILOT_SITL"):
        find_binary(tmp_path / "no-such-arducopter")
    env_free = {k: v for k, v in os.environ.items() if k != "ARDUPILOT_SITL"}
    code = (
        "from simulator.sitl import find_binary\n"
        "from overwatch.errors import SimulatorError\n"
        "try:\n    find_binary()\nexcept SimulatorError as e:\n    print(e)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env_free,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "ARDUPILOT_SITL" in out.stdout


async def test_sitl_that_exits_early_reports_its_output(tmp_path: Path) -> None:
    exe = tmp_path / "arducopter"
    exe.write_text("#!/bin/sh\necho 'bad model'\nexit 3\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "copter.parm").write_text("FRAME_CLASS 1\n")
    inst = SitlInstance(home=HOME4, binary=exe, base_port=_free_port(), instance=0)
    with pytest.raises(SimulatorError, match="bad model"):
        await inst.start(timeout_s=5)
    await inst.stop()
    assert inst.workdir is None  # temporary directory removed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cli_arguments_build_faults() -> None:
    ns = build_parser().parse_args(
        [
            "--loss",
            "5",
            "--loss-down",
            "20",
            "--latency-ms",
            "150",
            "--outage",
            "60:75",
            "--seed",
            "4",
        ]
    )
    faults = faults_from(ns)
    assert faults.loss_up_pct == 5 and faults.loss_down_pct == 20
    assert faults.latency_ms == 150 and faults.outages == ((60.0, 75.0),) and faults.seed == 4


def test_cli_rejects_bad_values(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        run_sim(["--udp-out", "nowhere"])
    assert exc.value.code == 2
    assert "HOST:PORT" in capsys.readouterr().err
    assert run_sim(["--loss", "150", "--base-port", "0"]) == 2
    assert "percentage" in capsys.readouterr().err


def test_python_m_simulator_prints_urls_and_exits_cleanly_on_ctrl_c() -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "simulator",
            "--base-port",
            "0",
            "--vehicles",
            "2",
            "--speedup",
            "5",
            "--gps-delay",
            "0.5",
            "--ekf-delay",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        lines = [proc.stdout.readline().strip() for _ in range(2)]  # type: ignore[union-attr]
        assert lines[0].startswith("vehicle 1: tcp:127.0.0.1:"), lines
        port = int(lines[1].rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            parser = mav.MAVLink(None)
            sock.settimeout(5)
            msgs: list[Any] = []
            end = time.monotonic() + 5
            while not msgs and time.monotonic() < end:
                msgs = [
                    m
                    for m in parser.parse_buffer(sock.recv(4096)) or []
                    if m.get_type() == "HEARTBEAT"
                ]
            assert msgs and msgs[0].get_srcSystem() == 2
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    assert "Traceback" not in err


def test_overwatch_sim_flies_real_sitl_only_when_asked(tmp_path: Path) -> None:
    """``ARDUPILOT_SITL`` names the binary for ``--sitl``; set alone, it must not turn
    every ``overwatch sim`` into SITL (CI exports it for the sitl tests)."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "ARDUPILOT_SITL": str(tmp_path / "no-such-arducopter")}
    mission = str(repo / "missions" / "customs-post.yaml")
    port = _free_port()
    cmd = [sys.executable, "-m", "overwatch", "sim", mission, "--base-port", str(port)]
    proc = subprocess.Popen(
        cmd, env=env, cwd=repo, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = proc.stdout.readline().strip()  # type: ignore[union-attr]
        assert first == f"vehicle 1: tcp:127.0.0.1:{port} (sysid 1)", (first, proc.stderr)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0 and "Traceback" not in err, err
    # asked for, with no binary anywhere: a clear error, not the built-in simulator
    env_free = {k: v for k, v in os.environ.items() if k != "ARDUPILOT_SITL"}
    asked = subprocess.run(
        [sys.executable, "-m", "overwatch", "sim", mission, "--sitl"],
        env=env_free,
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert asked.returncode == 2, asked
    assert "--sitl: give the arducopter binary, or set ARDUPILOT_SITL" in asked.stderr


def _stand_in(tmp_path: Path) -> Path:
    """A stand-in 'arducopter': the built-in simulator behind SITL's command line
    (ArduCopter 4.5 parameter names), with ArduPilot's defaults file beside it."""
    repo = Path(__file__).resolve().parents[2]
    fake = tmp_path / "arducopter"
    fake.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(repo)!r})\n"
        "args = sys.argv[1:]\n"
        "opt = {args[i]: args[i + 1] for i in range(0, len(args) - 1, 2)}\n"
        "lat, lon, alt, _ = opt['--home'].split(',')\n"
        "port = int(opt.get('--base-port', 5760 + 10 * int(opt['-I'])))  # as SITL does\n"
        "open('eeprom.bin', 'wb').close()\n"
        "from simulator.cli import run_sim\n"
        "sys.exit(run_sim(['--base-port', str(port), '--lat', lat, '--lon', lon,\n"
        "                  '--alt', alt, '--speedup', opt['--speedup']]))\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    (tmp_path / "copter.parm").write_text("FRAME_CLASS 1\n")
    return fake


async def test_launcher_runs_a_stand_in_binary_end_to_end(tmp_path: Path) -> None:
    fake = _stand_in(tmp_path)
    # the stand-in knows only some of the real firmware's parameters: no check here
    inst = SitlInstance(
        home=HOME4, binary=fake, base_port=_free_port(), speedup=5, check_params=False
    )
    url = await inst.start(timeout_s=30)
    workdir = inst.workdir
    try:
        assert url == f"tcp:127.0.0.1:{inst.port}"
        assert workdir is not None and (workdir / "eeprom.bin").exists()
        with socket.create_connection(("127.0.0.1", inst.port), timeout=5) as sock:
            parser = mav.MAVLink(None)
            msgs: list[Any] = []
            while not msgs:
                msgs = [
                    m
                    for m in parser.parse_buffer(sock.recv(4096)) or []
                    if m.get_type() == "HEARTBEAT"
                ]
            assert msgs[0].autopilot == mav.MAV_AUTOPILOT_ARDUPILOTMEGA
    finally:
        await inst.stop()
    assert workdir is not None and not workdir.exists()


async def test_parameters_are_checked_against_the_firmware(tmp_path: Path) -> None:
    """4.8 names are set under an older firmware's names and units; unknown ones are named."""
    fake = _stand_in(tmp_path)
    ours = tmp_path / "ours.parm"
    ours.write_text("WP_SPD 7  # m/s\nRTL_ALT_M 20\nFENCE_ALT_MAX 90\n")
    inst = SitlInstance(
        home=HOME4, binary=fake, base_port=_free_port(), speedup=5, defaults=(ours,)
    )
    await inst.start(timeout_s=30)
    try:
        assert inst.translated == {"WP_SPD": "WPNAV_SPEED", "RTL_ALT_M": "RTL_ALT"}
        with socket.create_connection(("127.0.0.1", inst.port), timeout=5) as sock:
            mavlink = mav.MAVLink(None, srcSystem=250)
            sock.sendall(
                mav.MAVLink_param_request_read_message(1, 1, b"WPNAV_SPEED", -1).pack(mavlink)
            )
            values: list[Any] = []
            while not values:
                values = [
                    m
                    for m in mavlink.parse_buffer(sock.recv(4096)) or []
                    if m.get_type() == "PARAM_VALUE" and m.param_id == "WPNAV_SPEED"
                ]
        assert values[0].param_value == pytest.approx(700.0)  # cm/s on that firmware
    finally:
        await inst.stop()
    ours.write_text("WP_SPD 7\nNO_SUCH_PARAM 1\n")
    again = SitlInstance(
        home=HOME4, binary=fake, base_port=_free_port(), speedup=5, defaults=(ours,)
    )
    with pytest.raises(SimulatorError, match=r"no parameter NO_SUCH_PARAM \(.*ours.parm:2\)"):
        await again.start(timeout_s=30)
    assert not again.running


def _in_namespace(script: str, *, with_interface: bool, env: dict[str, str] | None = None) -> str:
    """Run ``script`` in a new network namespace (loopback, and maybe a veth pair)."""
    setup = "ip link set lo up" + (
        " && ip link add ow-veth0 type veth peer name ow-veth1" if with_interface else ""
    )
    done = subprocess.run(
        ["unshare", "-n", "sh", "-c", f'{setup} && exec "$0" -c "$1"', sys.executable, script],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=True,
    )
    return done.stdout.strip()


def test_sitl_is_started_only_off_every_network() -> None:
    script = (
        "from simulator.sitl import check_isolated\n"
        "from overwatch.errors import SimulatorError\n"
        "try:\n    check_isolated()\n    print('ok')\n"
        "except SimulatorError as e:\n    print(e)\n"
    )
    assert _in_namespace(script, with_interface=False) == "ok"
    refused = _in_namespace(script, with_interface=True)
    assert "listens on every network interface" in refused and "ow-veth0" in refused
    assert "loopback-only" in refused
    accepted = _in_namespace(script, with_interface=True, env={"OVERWATCH_SITL_ANY_INTERFACE": "1"})
    assert accepted == "ok"
