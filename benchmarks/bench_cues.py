"""Cue ranking and NMEA parsing speed, each beside a plain-Python baseline from the same run.

- ranking 1,000 cues by patrol ETA (target < 5 ms) against sorting 1,000 plain tuples;
- NMEA 0183 decoding (checksum, fields, epoch assembly) against a bare ``str.split`` loop.
"""

from __future__ import annotations

import random

import numpy as np
from shapely.geometry import LineString

from benchmarks.harness import Result, median_time_s
from overwatch.cues import Cue, CueKind, CueSource, RouteProgress, rank_cues
from overwatch.feeds.nmea import NmeaDecoder, with_checksum
from overwatch.geo import LocalFrame

GROUP = "cues"


def _cues(frame: LocalFrame, count: int) -> list[Cue]:
    rng = np.random.default_rng(11)
    x = rng.uniform(-1000.0, 4000.0, count)
    y = rng.uniform(-1000.0, 21000.0, count)
    lat, lon = frame.to_wgs84(x, y)
    conf = rng.uniform(0.0, 1.0, count)
    return [
        Cue(f"cue-{i:04d}", CueKind.PERSON, float(a), float(o), 10.0, 0.0, 0.0,
            CueSource.CAMERA, float(c))
        for i, (a, o, c) in enumerate(zip(lat, lon, conf, strict=True))
    ]  # fmt: skip


def bench_ranking(quick: bool) -> Result:
    frame = LocalFrame(13.5, 2.1)
    route = LineString([(0, 0), (0, 5000), (3000, 8000), (3000, 20000)])
    progress = RouteProgress.at_speed(frame, route, 6000.0, 12.0)
    cues = _cues(frame, 1000)
    repeat = 7 if quick else 31
    value = median_time_s(lambda: rank_cues(cues, progress), repeat=repeat, warmup=2)
    rnd = random.Random(5)
    tuples = [(rnd.random(), rnd.random(), -rnd.random(), i) for i in range(1000)]
    baseline = median_time_s(lambda: sorted(tuples), repeat=repeat, warmup=2)
    return Result(
        GROUP,
        "rank 1,000 cues (project, ETA, severity, sort)",
        value * 1e3,
        "ms",
        "sorted() of 1,000 4-tuples",
        baseline * 1e3,
        "median < 5 ms",
        value < 0.005,
    )


def _nmea_lines(count: int) -> list[str]:
    lines = []
    for i in range(count):
        tod = f"{12 + i // 3600:02d}{i // 60 % 60:02d}{i % 60:02d}.00"
        lat = f"13{30 + i * 0.006 % 29:09.6f}"
        lines.append(with_checksum(f"GPRMC,{tod},A,{lat},N,00206.000000,E,21.50,0.0,251126,,,A"))
        lines.append(with_checksum(f"GPGGA,{tod},{lat},N,00206.000000,E,1,08,0.9,250.0,M,0.0,M,,"))
        lines.append(with_checksum("GPVTG,0.0,T,,M,21.50,N,39.82,K,A"))
    return lines


def bench_nmea(quick: bool) -> Result:
    lines = _nmea_lines(1000 if quick else 5000)

    def parse() -> None:
        decoder = NmeaDecoder("bench")
        for line in lines:
            decoder.feed_line(line)

    def split() -> None:
        for line in lines:
            line.split(",")

    repeat = 3 if quick else 7
    value = median_time_s(parse, repeat=repeat) / len(lines)
    baseline = median_time_s(split, repeat=repeat) / len(lines)
    return Result(
        GROUP,
        "NMEA decode per sentence (checksum, fields, epoch → fix)",
        value * 1e6,
        "µs",
        "str.split(',') per sentence",
        baseline * 1e6,
        "> 50,000 sentences/s",
        value < 1 / 50_000,
        note=f"{1 / value:,.0f} sentences/s",
    )


def run(quick: bool) -> list[Result]:
    return [bench_ranking(quick), bench_nmea(quick)]
