"""Shared hypothesis strategies for the fuzz tests: how outside input goes wrong.

``examples(n)`` gives ``n`` examples under the ``ci`` profile and the fuzz
profile's count (times ``share``) under ``HYPOTHESIS_PROFILE=fuzz`` (see
tests/conftest.py), so ``just fuzz`` runs the very same tests, harder.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis import strategies as st

FUZZING = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "fuzz"


def examples(ci: int, share: float = 1.0) -> settings:
    """Settings with ``ci`` examples, or the fuzz profile's count × ``share`` when fuzzing."""
    if FUZZING:
        return settings(max_examples=max(ci, int(settings().max_examples * share)))
    return settings(max_examples=ci)


def _flip(good: bytes, position: int, value: int) -> bytes:
    data = bytearray(good)
    data[position % len(data)] = value
    return bytes(data)


def _splice(good: bytes, position: int, junk: bytes) -> bytes:
    position %= len(good) + 1
    return good[:position] + junk + good[position:]


def mutations(good: bytes, oversize_to: int = 70_000) -> st.SearchStrategy[bytes]:
    """``good`` gone wrong: random bytes, truncated, one byte changed, bytes spliced in,
    bytes cut out, or grown past ``oversize_to`` bytes."""
    n = len(good)
    return st.one_of(
        st.binary(max_size=2 * n),
        st.integers(0, n - 1).map(lambda cut: good[:cut]),
        st.integers(1, n).map(lambda cut: good[cut:]),
        st.tuples(st.integers(0, n - 1), st.integers(0, 255)).map(lambda t: _flip(good, *t)),
        st.tuples(st.integers(0, n), st.binary(min_size=1, max_size=40)).map(
            lambda t: _splice(good, *t)
        ),
        st.tuples(st.integers(0, n - 1), st.integers(1, 40)).map(
            lambda t: good[: t[0]] + good[t[0] + t[1] :]
        ),
        st.sampled_from([b" ", b"x", b"<", good]).map(
            lambda pad: good + pad * (oversize_to // len(pad) + 1)
        ),
    )
