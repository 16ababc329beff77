"""Every parser of outside input raises its typed error, and only that, whatever it gets.

The mutations are those of tests/fuzzing.py (random bytes, truncation,
one byte changed, bytes spliced in or cut out, oversize) plus, per format,
bad checksums (NMEA) and wrong encodings (CoT XML). A parser either returns
a value that makes sense (finite, in range) or raises its
:class:`~overwatch.errors.MessageError`; ``just fuzz`` runs these with many
more examples. Every bug fuzzing found is kept below as an ``@example``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
import takproto
from hypothesis import example, given
from hypothesis import strategies as st
from takproto.proto import TakMessage

from overwatch.errors import CotError, GpsdError, MessageError, NmeaError
from overwatch.feeds import GpsdFeed
from overwatch.feeds.cot_xml import CotEvent, CotStreamSplitter, parse_cot_event
from overwatch.feeds.gpsd import parse_report, tpv_to_fix
from overwatch.feeds.nmea import NmeaDecoder, parse_sentence, with_checksum
from overwatch.feeds.takv1 import MAX_MESSAGE_BYTES, mesh_frame, stream_frame
from tests.feeds import nmea_gen
from tests.fuzzing import examples, mutations


def atak(uid: str = "ANDROID-1", i: int = 1, cot_type: str = "a-f-G-U-C") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<event version="2.0" uid="{uid}" type="{cot_type}" how="m-g" '
        f'time="2026-11-25T12:00:{i:02d}.000Z" start="2026-11-25T12:00:{i:02d}.000Z" '
        f'stale="2026-11-25T12:01:{i:02d}.000Z">'
        f'<point lat="{13.5 + i * 1e-4:.7f}" lon="2.1234567" hae="300.0" ce="4.9" '
        'le="9999999.0"/>'
        f'<detail><contact callsign="{uid}-cs"/><track course="2.5" speed="11.0"/>'
        "<remarks>seen</remarks></detail></event>"
    ).encode()


GOOD_XML = atak()


def check_event(event: CotEvent) -> None:
    """What any event the parser returns must satisfy."""
    assert event.uid and event.type
    assert -90.0 <= event.lat_deg <= 90.0 and -180.0 <= event.lon_deg <= 180.0
    assert all(math.isfinite(t) for t in (event.time_s, event.start_s, event.stale_s))
    for value in (event.hae_m, event.ce_m, event.le_m, event.course_deg, event.speed_m_s):
        assert value is None or math.isfinite(value)


def parse_or_cot_error(data: bytes) -> CotEvent | None:
    try:
        event = parse_cot_event(data)
    except CotError as exc:
        assert str(exc)  # says why
        return None
    check_event(event)
    return event


# -- CoT XML -------------------------------------------------------------------------


@examples(300)
@given(mutations(GOOD_XML))
@example(GOOD_XML.replace(b"UTF-8", b"ATF-8"))  # LookupError escaped (unknown encoding)
@example(GOOD_XML.replace(b'encoding="UTF-8"', b'encoding="rot13"'))  # LookupError escaped
@example(GOOD_XML.replace(b'encoding="UTF-8"', b'encoding="utf-7"'))  # ValueError escaped
def test_cot_xml_mutations(data: bytes) -> None:
    parse_or_cot_error(data)


ENCODINGS = ["ATF-8", "utf-16", "utf-32", "latin-1", "cp500", "utf-7", "rot13", "zlib", "hex"]


@examples(100)
@given(st.one_of(st.sampled_from(ENCODINGS), st.text(max_size=12)), st.booleans())
def test_cot_xml_wrong_encodings(name: str, transcode: bool) -> None:
    text = GOOD_XML.decode().replace('encoding="UTF-8"', f'encoding="{name}"')
    try:
        data = text.encode(name) if transcode else text.encode("utf-8", "replace")
    except (LookupError, UnicodeError, TypeError, ValueError):
        data = text.encode("utf-8", "replace")
    event = parse_or_cot_error(data)
    if event is not None:
        assert event.uid == "ANDROID-1"


def test_cot_xml_refuses_entities_and_oversize() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><event uid="&b;"/>'
    )
    with pytest.raises(CotError, match="DTD"):
        parse_cot_event(bomb)
    external = b'<!DOCTYPE e SYSTEM "file:///etc/passwd"><event/>'
    with pytest.raises(CotError, match="DTD"):
        parse_cot_event(external)
    with pytest.raises(CotError, match=f"at most {MAX_MESSAGE_BYTES}"):
        parse_cot_event(GOOD_XML + b" " * MAX_MESSAGE_BYTES)
    with pytest.raises(CotError, match="encoding 'ATF-8'"):
        parse_cot_event(GOOD_XML.replace(b"UTF-8", b"ATF-8"))


# -- TAK protocol v1 (protobuf) --------------------------------------------------------


def tak_message(
    uid: str = "ANDROID-1",
    lat: float = 13.5,
    lon: float = 2.1,
    send_ms: int = 1_795_000_000_000,
    stale_ms: int = 1_795_000_060_000,
    ce: float = 5.0,
    speed: float = 3.0,
    xml_detail: str = "<remarks>seen</remarks>",
) -> bytes:
    message = TakMessage()
    event = message.cotEvent
    event.type, event.uid, event.how = "a-f-G-U-C", uid, "m-g"
    event.sendTime, event.startTime, event.staleTime = send_ms, send_ms, stale_ms
    event.lat, event.lon, event.hae, event.ce, event.le = lat, lon, 300.0, ce, 9999999.0
    event.detail.track.speed, event.detail.track.course = speed, 90.0
    event.detail.contact.callsign = "PATROL"
    event.detail.xmlDetail = xml_detail
    return bytes(message.SerializeToString())


GOOD_TAK = tak_message()


def test_tak_mesh_and_stream_decode_like_the_xml_they_came_from() -> None:
    for version in (takproto.TAKProtoVer.MESH, takproto.TAKProtoVer.STREAM):
        framed = bytes(takproto.xml2proto(GOOD_XML, version))
        assert framed[0] == 0xBF
        from_tak, from_xml = parse_cot_event(framed), parse_cot_event(GOOD_XML)
        assert from_tak.protocol == "tak-v1" and from_xml.protocol == "xml"
        for name in ("uid", "type", "how", "time_s", "stale_s", "lat_deg", "lon_deg", "hae_m"):
            assert getattr(from_tak, name) == getattr(from_xml, name), name
        assert (from_tak.ce_m, from_tak.le_m) == (from_xml.ce_m, from_xml.le_m)
        assert (from_tak.course_deg, from_tak.speed_m_s) == (2.5, 11.0)
        assert from_tak.callsign == "ANDROID-1-cs" and from_tak.remarks == "seen"


def test_tak_detector_tag_rides_in_xml_detail() -> None:
    tag = '<__overwatch source="camera" kind="person" confidence="0.8"/>'
    event = parse_cot_event(mesh_frame(tak_message(xml_detail=tag)))
    assert event.overwatch_tag == {"source": "camera", "kind": "person", "confidence": "0.8"}


@examples(300)
@given(st.sampled_from([mesh_frame, stream_frame]), mutations(GOOD_TAK))
@example(mesh_frame, b"")
@example(stream_frame, b"\x12\x00")  # an empty CoT event
def test_tak_payload_mutations(frame: Any, payload: bytes) -> None:
    parse_or_cot_error(frame(payload))


@examples(300)
@given(mutations(mesh_frame(GOOD_TAK)))
def test_tak_framing_mutations(data: bytes) -> None:
    parse_or_cot_error(data)


@examples(300)
@given(
    uid=st.text(max_size=20),
    lat=st.floats(),
    lon=st.floats(),
    send_ms=st.integers(0, 2**64 - 1),
    stale_ms=st.integers(0, 2**64 - 1),
    ce=st.floats(),
    speed=st.floats(),
    xml_detail=st.one_of(st.text(max_size=40), st.just("<remarks>x</remarks>")),
)
def test_tak_any_field_values(
    uid: str,
    lat: float,
    lon: float,
    send_ms: int,
    stale_ms: int,
    ce: float,
    speed: float,
    xml_detail: str,
) -> None:
    data = mesh_frame(tak_message(uid, lat, lon, send_ms, stale_ms, ce, speed, xml_detail))
    event = parse_or_cot_error(data)
    if event is not None:
        assert (event.uid, event.lat_deg, event.lon_deg) == (uid, lat, lon)
        assert event.time_s == send_ms / 1000.0


# -- a TCP stream cut into messages -------------------------------------------------------


@examples(200)
@given(
    garbage=st.binary(max_size=300),
    chunk=st.integers(1, 600),
    tak_too=st.booleans(),
)
@example(garbage=b"\xbf\x50", chunk=7, tak_too=False)  # a false TAK header before XML
@example(garbage=b"<event uid='x'", chunk=50, tak_too=True)  # an open tag before a good one
def test_stream_splitter_finds_the_good_messages_after_garbage(
    garbage: bytes, chunk: int, tak_too: bool
) -> None:
    good = [atak("G", i) for i in range(3)]
    if tak_too:
        good.append(stream_frame(tak_message(uid="T")))
    stream = garbage + b"\n".join(good) + b" " * (MAX_MESSAGE_BYTES + 8)
    splitter = CotStreamSplitter()
    out: list[bytes] = []
    for start in range(0, len(stream), chunk * 97):
        out += splitter.feed(stream[start : start + chunk * 97])
    uids = [e.uid for e in map(parse_or_cot_error, out) if e is not None]
    want = ["G", "G", "G"] + (["T"] * tak_too)
    assert uids[-len(want) :] == want, (uids, splitter.overflows)


def test_a_stray_open_bracket_does_not_swallow_the_tak_frame_after_it() -> None:
    splitter = CotStreamSplitter()
    stream = b"<\n" + stream_frame(tak_message(uid="T")) + b"\n" + atak("G", 1)
    out = [splitter.feed(stream[i : i + 1]) for i in range(len(stream))]  # byte by byte
    uids = [parse_cot_event(m).uid for chunk in out for m in chunk]
    assert uids == ["T", "G"] and splitter.overflows == 1


# -- NMEA ------------------------------------------------------------------------------

GOOD_NMEA = nmea_gen.epoch(3)


@examples(300)
@given(st.sampled_from(GOOD_NMEA), st.data())
@example("$GPGGA,120000.00,13nan,N,00206.0000,E,1,08,nan,250.0,M,0.0,M,,*00", None)  # NaN lat
def test_nmea_mutations(sentence: str, data: st.DataObject | None) -> None:
    raw = sentence.encode()
    if data is not None:
        raw = data.draw(mutations(raw, oversize_to=2000))
    else:
        raw = with_checksum(sentence.lstrip("$").rsplit("*", 1)[0]).encode()
    try:
        parsed = parse_sentence(raw.decode("ascii"))
    except (NmeaError, UnicodeDecodeError):
        return
    for name in ("lat_deg", "lon_deg", "tod_s", "alt_msl_m", "hdop", "speed_m_s", "course_deg"):
        value = getattr(parsed, name, None)
        assert value is None or math.isfinite(value), (name, value)


@examples(300)
@given(st.sampled_from(GOOD_NMEA), st.integers(1, 255))
def test_nmea_bad_checksums_are_refused(sentence: str, delta: int) -> None:
    body, given_sum = sentence[1:].rsplit("*", 1)
    wrong = f"${body}*{(int(given_sum, 16) ^ delta) & 0xFF:02X}"
    with pytest.raises(NmeaError, match="checksum"):
        parse_sentence(wrong)


@examples(200)
@given(st.lists(st.binary(max_size=120), max_size=8))
def test_nmea_decoder_goes_on_after_garbage(garbage: list[bytes]) -> None:
    decoder = NmeaDecoder("fuzz")
    for junk in garbage:
        assert isinstance(decoder.feed_line(junk), list)
    fixes = []
    for i in range(100, 103):  # a fresh receiver epoch pattern after the garbage
        for sentence in nmea_gen.epoch(i):
            fixes += decoder.feed_line(sentence.encode())
    fixes += decoder.assembler.flush()
    assert {nmea_gen.unix_time(i) for i in (100, 101, 102)} <= {f.time_s for f in fixes}


# -- gpsd JSON -------------------------------------------------------------------------

GOOD_TPV = json.dumps(
    {
        "class": "TPV",
        "mode": 3,
        "time": "2026-11-25T12:00:00.000Z",
        "lat": 13.5,
        "lon": 2.1,
        "altMSL": 250.0,
        "speed": 3.0,
        "track": 90.0,
    }
).encode()

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def decode_gpsd(line: bytes) -> None:
    try:
        report = parse_report(line)
        if report is None or report.get("class") != "TPV":
            return
        fix = tpv_to_fix(report, "fuzz", None)
    except GpsdError as exc:
        assert isinstance(exc, MessageError) and str(exc)
        return
    if fix is not None:
        assert -90 <= fix.lat_deg <= 90 and -180 <= fix.lon_deg <= 180
        assert math.isfinite(fix.time_s)


@examples(300)
@given(mutations(GOOD_TPV, oversize_to=5000))
@example(GOOD_TPV.replace(b"13.5", b"1" * 400))  # an integer beyond any float
@example(GOOD_TPV.replace(b'"2026-11-25T12:00:00.000Z"', b'"0001-01-01T00:00:00+14:00"'))
@example(b"[" * 100_000)  # nesting deeper than the JSON decoder's stack
def test_gpsd_line_mutations(line: bytes) -> None:
    decode_gpsd(line)


@examples(300)
@given(st.dictionaries(st.sampled_from(["mode", "time", "lat", "lon", "alt"]), json_values))
def test_gpsd_any_report_fields(fields: dict[str, Any]) -> None:
    report: dict[str, Any] = {"class": "TPV", "mode": 2, **fields}
    try:
        line = json.dumps(report).encode()
    except (ValueError, OverflowError):
        return
    decode_gpsd(line)


@examples(100)
@given(st.lists(st.binary(max_size=200), max_size=6))
def test_gpsd_feed_decoder_counts_and_goes_on(garbage: list[bytes]) -> None:
    feed = GpsdFeed("gpsd://127.0.0.1:1")
    for line in garbage:
        feed._decode(line)  # never raises
    assert feed.stats.bad <= len(garbage)
    fix = feed._decode(GOOD_TPV)
    assert fix is not None and fix.lat_deg == 13.5


def test_without_takproto_a_protobuf_message_says_which_extra_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from overwatch.feeds import takv1

    takv1.tak_message_class.cache_clear()
    monkeypatch.setitem(__import__("sys").modules, "takproto.proto", None)
    try:
        with pytest.raises(CotError, match=r"^TAK protocol v1 .* pip install 'overwatch\[tak\]'$"):
            parse_cot_event(mesh_frame(GOOD_TAK))
        assert parse_cot_event(GOOD_XML).uid == "ANDROID-1"  # XML needs no extra
    finally:
        takv1.tak_message_class.cache_clear()
