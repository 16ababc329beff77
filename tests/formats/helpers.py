"""Comparison and tool helpers for the format tests."""

from __future__ import annotations

import itertools
import math
import re
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from overwatch.formats import fence_from_items
from overwatch.items import MissionItem


def same_item(a: MissionItem, b: MissionItem, *, tol: float = 1e-6) -> bool:
    """Equal after frame normalisation, NaN equal to NaN, numbers within ``tol``."""
    a, b = a.normalised(), b.normalised()
    if (a.command, a.frame, a.mission_type, a.autocontinue) != (
        b.command, b.frame, b.mission_type, b.autocontinue,
    ):  # fmt: skip
        return False
    for x, y in zip(_numbers(a), _numbers(b), strict=True):
        if math.isnan(x) or math.isnan(y):
            if not (math.isnan(x) and math.isnan(y)):
                return False
        elif abs(x - y) > tol:
            return False
    return True


def _numbers(i: MissionItem) -> tuple[float, ...]:
    return (i.param1, i.param2, i.param3, i.param4, i.lat_deg, i.lon_deg, i.alt_m)


def assert_same_items(got: Sequence[MissionItem], want: Sequence[MissionItem]) -> None:
    assert len(got) == len(want)
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        assert same_item(g, w), f"item {k}: {g} != {w}"


def canonical_ring(vertices: Sequence[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    """A ring independent of start vertex and winding, rounded to 1e-7 deg."""
    pts = [(round(a, 7), round(b, 7)) for a, b in vertices]
    candidates = []
    for seq in (pts, pts[::-1]):
        k = seq.index(min(seq))
        candidates.append(tuple(seq[k:] + seq[:k]))
    return min(candidates)


def canonical_fence(items: Sequence[MissionItem]) -> tuple[object, ...]:
    """A fence as comparable shapes (ring order and winding do not matter)."""
    fence = fence_from_items(items)
    polygons = sorted((p.inclusion, canonical_ring(p.vertices)) for p in fence.polygons)
    circles = sorted(
        (c.inclusion, round(c.center[0], 7), round(c.center[1], 7), round(c.radius_m, 3))
        for c in fence.circles
    )
    ret = None if fence.return_point is None else tuple(round(v, 7) for v in fence.return_point)
    return (tuple(polygons), tuple(circles), ret)


def ring_signed_area(ring: Sequence[Sequence[float]]) -> float:
    """Shoelace area of a closed [lon, lat] ring: positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1, *_), (x2, y2, *_) in itertools.pairwise(ring)) / 2.0


def ogrinfo(*args: str | Path) -> str:
    """Run GDAL's ogrinfo (read-only); fail the test on errors or warnings."""
    exe = shutil.which("ogrinfo")
    assert exe is not None, "ogrinfo not found: apt-get install -y gdal-bin"
    done = subprocess.run(
        [exe, "-ro", *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "ERROR" not in done.stderr and "Warning" not in done.stderr, done.stderr
    return done.stdout


def layer_counts(summary: str) -> dict[str, int]:
    """``{layer name: feature count}`` from ``ogrinfo -so -al`` output."""
    names = re.findall(r"^Layer name: (.+)$", summary, flags=re.M)
    counts = [int(n) for n in re.findall(r"^Feature Count: (\d+)$", summary, flags=re.M)]
    assert len(names) == len(counts)
    return dict(zip(names, counts, strict=True))
