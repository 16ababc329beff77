"""TAK TLS credentials as TAK servers hand them out: .p12 bundles with a password, or PEM files.

The certificates are made here with ``cryptography`` (a CA, a server
certificate for 127.0.0.1, a client certificate); the server is a real TLS
listener on loopback that demands a client certificate from that CA.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import os
import ssl
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from overwatch.errors import FeedError
from overwatch.feeds import CotEvent, CotTcpSender, cue_event
from overwatch.feeds.cot_out import TakCredentials, shareable_video_url, tls_context
from overwatch.ops.cot import cot_sender

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "atakatak"  # the password TAK server data packages use by default


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: tuple[str, ec.EllipticCurvePrivateKey] | None,
    *,
    ca: bool = False,
    ip: str | None = None,
) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    issuer_name, issuer_key = issuer if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer_name))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    if ip:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(ip))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    """A TAK server's certificates, as files: CA, server pair, client .p12 and PEM pair."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Test TAK CA", ca_key, None, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _certificate("takserver", server_key, ("Test TAK CA", ca_key), ip="127.0.0.1")
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _certificate("overwatch", client_key, ("Test TAK CA", ca_key))
    files = {
        "ca": tmp_path / "ca.pem",
        "server": tmp_path / "server.pem",
        "server_key": tmp_path / "server.key",
        "client_p12": tmp_path / "overwatch.p12",
        "client_pem": tmp_path / "overwatch.pem",
        "client_key": tmp_path / "overwatch.key",
        "truststore": tmp_path / "truststore-root.p12",
    }
    files["ca"].write_bytes(_pem(ca))
    files["server"].write_bytes(_pem(server))
    files["server_key"].write_bytes(_key_pem(server_key))
    files["client_pem"].write_bytes(_pem(client))
    files["client_key"].write_bytes(_key_pem(client_key))
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    files["client_p12"].write_bytes(
        pkcs12.serialize_key_and_certificates(b"overwatch", client_key, client, [ca], encryption)
    )
    files["truststore"].write_bytes(
        pkcs12.serialize_key_and_certificates(b"truststore", None, None, [ca], encryption)
    )
    return files


async def _deliver(pki: dict[str, Path], credentials: TakCredentials) -> tuple[bytes, str]:
    """Send one cue through a server that demands a client certificate; (what it read, who)."""
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=pki["ca"])
    server_ctx.load_cert_chain(pki["server"], pki["server_key"])
    server_ctx.verify_mode = ssl.CERT_REQUIRED
    received: asyncio.Future[tuple[bytes, str]] = asyncio.get_running_loop().create_future()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peercert")
        subject = dict(item[0] for item in peer["subject"])
        data = await reader.readuntil(b"</event>")
        if not received.done():
            received.set_result((data, subject["commonName"]))
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
    port = server.sockets[0].getsockname()[1]
    sender = cot_sender(f"tls://127.0.0.1:{port}", credentials)
    try:
        await sender.send(cue_event("c1", 13.7612345, 5.2123456, hostile=True, remarks="x"))
        return await asyncio.wait_for(received, 30.0)
    finally:
        await sender.aclose()
        server.close()
        await server.wait_closed()


def test_a_p12_client_certificate_with_its_password(pki: dict[str, Path]) -> None:
    credentials = TakCredentials(cert=pki["client_p12"], password=PASSWORD, ca=pki["ca"])
    data, who = asyncio.run(_deliver(pki, credentials))
    assert who == "overwatch"
    assert data.lstrip().startswith(b"<event"), "a stream carries events without declarations"


def test_a_p12_trust_store_and_pem_client_pair(pki: dict[str, Path]) -> None:
    credentials = TakCredentials(
        cert=pki["client_pem"], key=pki["client_key"], password=PASSWORD, ca=pki["truststore"]
    )
    _, who = asyncio.run(_deliver(pki, credentials))
    assert who == "overwatch"


def test_a_wrong_password_names_the_file_and_the_option(pki: dict[str, Path]) -> None:
    with pytest.raises(FeedError, match=r"overwatch\.p12.*--tak-password"):
        tls_context(TakCredentials(cert=pki["client_p12"], password="wrong"))


def test_a_missing_certificate_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"missing\.p12: cannot read"):
        tls_context(TakCredentials(cert=tmp_path / "missing.p12", password=PASSWORD))
    with pytest.raises(FeedError, match=r"trust store .*nope\.pem"):
        tls_context(TakCredentials(ca=tmp_path / "nope.pem"))


def test_a_server_the_ca_does_not_vouch_for_is_refused(pki: dict[str, Path]) -> None:
    other = TakCredentials(cert=pki["client_p12"], password=PASSWORD)  # system roots only
    with pytest.raises(FeedError, match="cannot send CoT to tls://"):
        asyncio.run(_deliver(pki, other))


def test_the_run_command_refuses_a_bad_certificate_before_connecting(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "overwatch",
            "run",
            str(REPO / "missions" / "vehicle-patrol.yaml"),
            "--patrol",
            "nmea+udp://127.0.0.1:40111",
            "--cot-out",
            "tls://127.0.0.1:8089",
            "--tak-cert",
            str(tmp_path / "absent.p12"),
            "--tak-password",
            PASSWORD,
            "--run-dir",
            str(tmp_path / "run"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "absent.p12: cannot read" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("video", "share", "expected"),
    [
        ("udp://0.0.0.0:5600", None, None),  # this station's own receive address
        ("udp://@:5600", None, None),
        ("/tmp/drone.sdp", None, None),
        ("rtsp://127.0.0.1:8554/cam", None, None),
        ("rtsp://192.168.1.20:8554/cam", None, "rtsp://192.168.1.20:8554/cam"),
        ("rtsp://drone.local:8554/cam", None, "rtsp://drone.local:8554/cam"),
        ("udp://239.1.1.1:5600", None, "udp://239.1.1.1:5600"),  # a group anyone can join
        ("udp://0.0.0.0:5600", "rtsp://10.0.0.5:8554/drone", "rtsp://10.0.0.5:8554/drone"),
        (None, "rtsp://10.0.0.5:8554/drone", "rtsp://10.0.0.5:8554/drone"),
        (None, None, None),
    ],
)
def test_the_video_link_is_one_another_device_can_open(
    video: str | None, share: str | None, expected: str | None
) -> None:
    assert shareable_video_url(video, share) == expected


def test_the_cot_events_come_back_to_the_handler(pki: dict[str, Path]) -> None:
    """What the server sends on the connection reaches ``on_event``; junk is counted."""

    async def run() -> tuple[list[CotEvent], int]:
        server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        server_ctx.load_cert_chain(pki["server"], pki["server_key"])

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await reader.readuntil(b"</event>")
            marker = cue_event("tak-1", 13.5, 2.1, hostile=True, remarks="from ATAK")
            writer.write(b"<event garbage</event>" + marker.replace(b"overwatch-cue-", b"atak-"))
            await writer.drain()
            await asyncio.sleep(30)

        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx)
        port = server.sockets[0].getsockname()[1]
        got: list[CotEvent] = []
        sender = cot_sender(
            f"tls://127.0.0.1:{port}", TakCredentials(ca=pki["ca"]), on_event=got.append
        )
        try:
            await sender.send(cue_event("c1", 13.0, 2.0, hostile=False, remarks="x"))
            async with asyncio.timeout(30):
                while not got:
                    await asyncio.sleep(0.01)
            assert isinstance(sender, CotTcpSender)
            return got, sender.bad_events
        finally:
            await sender.aclose()
            server.close()

    got, bad = asyncio.run(run())
    assert [event.uid for event in got] == ["atak-tak-1"]
    assert bad == 1
