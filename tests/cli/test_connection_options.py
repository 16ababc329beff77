"""``--connect`` and ``--out`` on ``fly``, ``run`` and ``ui``: forms, default and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from overwatch.cli import build_parser, main
from overwatch.commands.run import session_from
from overwatch.link.transports import DEFAULT_CONNECTION

MISSION = Path(__file__).resolve().parents[2] / "missions" / "vehicle-patrol.yaml"


@pytest.mark.parametrize("command", ["fly", "run", "ui"])
def test_out_is_repeatable_and_connect_optional(command: str) -> None:
    extra = [] if command == "fly" else ["--patrol", "gpsd://127.0.0.1:2947"]
    args = build_parser().parse_args(
        [command, str(MISSION), *extra, "--out", "udpout:127.0.0.1:14551", "--out", "tcpin::5762"]
    )
    assert args.connect is None
    assert args.outs == ["udpout:127.0.0.1:14551", "tcpin::5762"]


def test_run_without_connect_listens_on_udp_14550_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = build_parser().parse_args(
        [
            "run",
            str(MISSION),
            "--patrol",
            "gpsd://127.0.0.1:2947",
            "--out",
            "udpout:127.0.0.1:14551",
            "--run-dir",
            str(tmp_path),
        ]
    )
    session, _ = session_from(args)
    try:
        assert session.config.connect == DEFAULT_CONNECTION == "udpin:0.0.0.0:14550"
        assert [out.description for out in session.link.outs] == ["udpout:127.0.0.1:14551"]
    finally:
        session.cues.close()
        if session.link.tlog is not None:
            session.link.tlog.close()
    said = capsys.readouterr().err
    assert f"no --connect given: listening for the vehicle on {DEFAULT_CONNECTION}" in said


@pytest.mark.parametrize(
    ("option", "url"),
    [("--connect", "/dev/ttyUSB0,fast"), ("--out", "bogus:1:2"), ("--connect", "mcast:10.0.0.1:1")],
)
def test_a_bad_url_is_one_clear_line_and_exit_2(
    option: str, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["fly", str(MISSION), option, url, "--dry-run"])
    err = capsys.readouterr().err
    assert code == 2
    assert url in err
    assert "expected" in err or "not a" in err
    assert "Traceback" not in err
