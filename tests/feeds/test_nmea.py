"""NMEA parsing, checksums, epoch assembly and fuzzing with random bytes."""

from __future__ import annotations

import contextlib
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from overwatch.errors import NmeaError
from overwatch.feeds.nmea import (
    Gga,
    NmeaAssembler,
    NmeaDecoder,
    Rmc,
    Vtg,
    parse_sentence,
    with_checksum,
)
from tests.feeds import nmea_gen
from tests.fuzzing import examples


def test_gga_rmc_vtg_fields() -> None:
    rmc, gga, vtg = (parse_sentence(s) for s in nmea_gen.epoch(3))
    assert isinstance(gga, Gga) and isinstance(rmc, Rmc) and isinstance(vtg, Vtg)
    assert gga.lat_deg == pytest.approx(13.5003, abs=1e-9)
    assert gga.lon_deg == pytest.approx(2.1, abs=1e-9)
    assert gga.alt_msl_m == 250.0 and gga.hdop == 0.9 and gga.quality == 1
    assert gga.tod_s == 12 * 3600 + 3
    assert rmc.valid and rmc.date is not None and rmc.date.isoformat() == "2026-11-25"
    assert rmc.speed_m_s == pytest.approx(nmea_gen.SPEED_M_S, abs=0.01)
    assert vtg.speed_m_s == pytest.approx(nmea_gen.SPEED_M_S, abs=0.01)


def test_southern_western_hemispheres() -> None:
    s = parse_sentence(with_checksum("GNGGA,000001,3351.5000,S,07030.0000,W,2,10,1.2,-5.0,M,,,,"))
    assert isinstance(s, Gga)
    assert s.lat_deg == pytest.approx(-33.858333, abs=1e-6)
    assert s.lon_deg == pytest.approx(-70.5, abs=1e-9)


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("$GPGGA,120000.00,1330.0000,N,00206.0000,E,1,08,0.9,250.0,M,0.0,M,,*00", "mismatch"),
        ("$GPGGA,120000.00,1330.0000,N,00206.0000,E,1,08,0.9,250.0,M,0.0,M,,", "no checksum"),
        ("GPGGA,1,2*33", "must start"),
        (with_checksum("GPGGA,120000.00,1330.0000,Q,00206.0000,E,1,08,0.9,250,M,0,M,,"), "hemis"),
        (with_checksum("GPRMC,256000.00,A,1330.0,N,00206.0,E,1,0,251126,,,A"), "out of range"),
        (with_checksum("GPRMC,120000.00,A,1330.0,N"), "fields"),
        (with_checksum("GPRMC,120000.00,A,1330.0,N,00206.0,E,1,0,331326,,,A"), "RMC"),
    ],
)
def test_bad_sentences_say_why(line: str, words: str) -> None:
    with pytest.raises(NmeaError, match=words):
        parse_sentence(line)


def test_other_sentence_types_are_ignored_not_bad() -> None:
    assert parse_sentence(with_checksum("GPGSV,3,1,11,03,03,111,00")) is None


def test_assembler_emits_one_fix_per_epoch_without_waiting_once_pattern_known() -> None:
    assembler = NmeaAssembler("test")
    emitted_after: list[tuple[int, int]] = []
    fixes = []
    for i in range(4):
        for n, line in enumerate(nmea_gen.epoch(i)):
            sentence = parse_sentence(line)
            assert sentence is not None
            out = assembler.push(sentence)
            fixes += out
            if out:
                emitted_after.append((i, n))
    fixes += assembler.flush()
    assert len(fixes) == 4
    # epoch 0 goes out when epoch 1 starts; later epochs as soon as their VTG arrives
    assert emitted_after == [(1, 0), (1, 2), (2, 2), (3, 2)]
    for i, fix in enumerate(fixes):
        assert fix.time_s == nmea_gen.unix_time(i)
        assert fix.lat_deg == pytest.approx(13.5 + i * 1e-4, abs=1e-9)
        assert fix.alt_msl_m == 250.0 and fix.hdop == 0.9
        assert fix.speed_m_s == pytest.approx(nmea_gen.SPEED_M_S, abs=0.01)
        assert fix.course_deg == 0.0


def test_gga_only_receiver_dates_fixes_from_the_clock() -> None:
    now_s = nmea_gen.unix_time(0) + 30.0
    assembler = NmeaAssembler("test", clock=lambda: now_s)
    fixes = []
    for i in range(3):
        for line in nmea_gen.epoch(i, kinds=("GGA",)):
            sentence = parse_sentence(line)
            assert sentence is not None
            fixes += assembler.push(sentence)
    fixes += assembler.flush()
    assert [f.time_s for f in fixes] == [nmea_gen.unix_time(i) for i in range(3)]


def test_no_fix_sentences_are_counted_not_emitted() -> None:
    decoder = NmeaDecoder("test")
    lines = [
        with_checksum("GPGGA,120000.00,,,,,0,00,99.9,,M,,M,,"),
        with_checksum("GPGGA,120001.00,,,,,0,00,99.9,,M,,M,,"),
    ]
    fixes = [f for line in lines for f in decoder.feed_line(line)]
    fixes += decoder.assembler.flush()
    assert fixes == []
    assert decoder.assembler.no_fix == 2 and decoder.bad == 0


def test_random_bytes_never_crash_and_good_sentences_still_decode() -> None:
    rng = random.Random(1234)
    decoder = NmeaDecoder("fuzz")
    good = nmea_gen.log(50).encode().split(b"\n")
    fixes = []
    garbage_lines = 0
    for i, line in enumerate(good):
        fixes += decoder.feed_line(line)
        if i % 3 == 0:
            junk = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 120)))
            for piece in junk.split(b"\n"):
                garbage_lines += 1
                fixes += decoder.feed_line(piece)
        if i % 7 == 0:  # a good sentence with a flipped byte
            broken = bytearray(line)
            if len(broken) > 10:
                broken[rng.randrange(1, len(broken) - 4)] ^= 0x01
                fixes += decoder.feed_line(bytes(broken))
    fixes += decoder.assembler.flush()
    assert decoder.bad >= garbage_lines // 2
    times = [f.time_s for f in fixes]
    # every true epoch is there; corrupted sentences never produce a fix of their own
    assert set(times) == {nmea_gen.unix_time(i) for i in range(50)}
    assert all(f.lat_deg == pytest.approx(13.5 + (f.time_s - times[0]) * 1e-4) for f in fixes)


@examples(300)
@given(st.binary(max_size=200))
def test_decoder_survives_any_bytes(data: bytes) -> None:
    decoder = NmeaDecoder("fuzz")
    for line in data.split(b"\n"):
        decoder.feed_line(line)  # never raises
    assert decoder.bad <= len(data.split(b"\n"))


@examples(300)
@given(st.text(alphabet="$GPAMCVTR,.*0123456789NSEWK", max_size=90))
def test_parse_sentence_raises_only_nmea_errors(text: str) -> None:
    with contextlib.suppress(NmeaError):
        parse_sentence(with_checksum(text.lstrip("$")))


def test_pattern_learnt_from_a_partial_first_epoch_recovers_vtg_speed() -> None:
    """The first epoch's VTG was lost, so the pattern looks GGA-only: VTG must come back."""
    decoder = NmeaDecoder("test")
    fixes = []
    for i in range(4):
        for line in nmea_gen.epoch(i, kinds=("GGA",) if i == 0 else ("GGA", "VTG")):
            fixes += decoder.feed_line(line)
    fixes += decoder.assembler.flush()
    assert len(fixes) == 4
    assert fixes[1].speed_m_s is None  # emitted on its GGA, by the (wrong) GGA-only pattern
    assert fixes[2].speed_m_s == pytest.approx(nmea_gen.SPEED_M_S, abs=0.01)
    assert fixes[3].speed_m_s == pytest.approx(nmea_gen.SPEED_M_S, abs=0.01)
