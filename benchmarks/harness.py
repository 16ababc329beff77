"""The shared shape of a benchmark result, and a small timing helper.

Each ``benchmarks/bench_*.py`` module exposes ``run(quick: bool) -> list[Result]``.
A result carries its own figure, the baseline measured in the same process,
the ratio between them, and the target it is judged against.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One benchmark figure.

    ``ratio`` is ``value / baseline_value`` (how many baselines this figure is);
    ``target`` is a human sentence such as ``"median < 0.5 s"``; ``ok`` whether
    it was met.
    """

    group: str
    name: str
    value: float
    unit: str
    baseline_name: str
    baseline_value: float
    target: str
    ok: bool
    note: str = ""

    @property
    def ratio(self) -> float:
        if self.baseline_value == 0:
            return float("inf")
        return self.value / self.baseline_value


def median_time_s(fn: Callable[[], object], repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` in seconds over ``repeat`` runs after ``warmup``."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)
