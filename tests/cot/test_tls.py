"""CoT to a TAK server over TLS: a real TLS listener on loopback with a certificate made here."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from overwatch.errors import FeedError
from overwatch.feeds import cue_event
from overwatch.ops.cot import cot_sender


def _self_signed(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


async def _serve_and_send(cert: Path, key: Path) -> bytes:
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    received = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = await reader.readuntil(b"</event>")
        received.set_result(data)
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    sender = cot_sender(f"tls://127.0.0.1:{port}?ca={cert}")
    try:
        await sender.send(cue_event("c1", 13.7612345, 5.2123456, hostile=True, remarks="x"))
        return await asyncio.wait_for(received, 5.0)
    finally:
        await sender.aclose()
        server.close()
        await server.wait_closed()


def test_cot_reaches_a_tls_server_that_the_ca_vouches_for(tmp_path: Path) -> None:
    cert, key = _self_signed(tmp_path)
    data = asyncio.run(_serve_and_send(cert, key))
    event = ET.fromstring(data[data.index(b"<event") :])
    assert event.get("type", "").startswith("a-h-G")
    point = event.find("point")
    assert point is not None and point.get("lat", "").startswith("13.761234")


def test_bad_cot_outputs_say_what_was_expected(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="expected udp://HOST:PORT"):
        cot_sender("http://127.0.0.1:80")
    with pytest.raises(FeedError, match="unknown option"):
        cot_sender("tls://127.0.0.1:8089?password=x")
    with pytest.raises(FeedError, match="cannot load the TLS certificates"):
        cot_sender(f"tls://127.0.0.1:8089?ca={tmp_path / 'missing.pem'}")
