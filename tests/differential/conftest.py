"""Fixtures: one built-in vehicle and (for tests marked ``sitl``) one SITL per test module.

A module sets ``READY = True`` to have each vehicle waited on until it
would arm in GUIDED before its first probe, and ``BUILTIN_SPEEDUP`` to run
the built-in simulator slower than :data:`~tests.differential.harness.SPEEDUP`
(probes of the first seconds after boot need a few wall-clock tenths). Each probe runs at most once
per vehicle (:meth:`Probed.answer` keeps its answer), so the builtin-only
test and the differential test of a module share one run of the probe on
the built-in simulator, and probes of a module run in the order listed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from simulator.failsafes import gcs_failsafe_timeout_s
from tests.differential.harness import SPEEDUP, Station, Target, start_target

Probe = Callable[[Station], Any]


class Probed:
    """A running vehicle, its ground station, and the answers of the probes run on it."""

    def __init__(
        self,
        backend: str,
        ready: bool,
        speedup: float | None = None,
        params: dict[str, float] | None = None,
    ) -> None:
        self.backend = backend
        self.speedup = speedup
        self.params = params
        self.target: Target | None = None
        self._station: Station | None = None
        self._ready = ready
        self.answers: dict[str, Any] = {}

    @property
    def station(self) -> Station:
        """The ground station; the vehicle boots on first use (probes of start-up need it young)."""
        if self._station is None:
            self.target = start_target(self.backend, self.params, speedup=self.speedup)
            self._station = self.target.station()
            self._station.clock()
            self._station.wait(0.5)
        return self._station

    def answer(self, probe: Probe) -> Any:
        name = probe.__name__
        if name not in self.answers:
            if self._ready:
                self.station.ready()
                self._ready = False
            self.answers[name] = probe(self.station)
        return self.answers[name]

    def close(self) -> None:
        if self._station is not None:
            self._station.close()
        if self.target is not None:
            self.target.stop()


def _probed(request: pytest.FixtureRequest, backend: str) -> Iterator[Probed]:
    speedup = getattr(request.module, "BUILTIN_SPEEDUP", None) if backend == "builtin" else None
    # the station's heartbeats come from a test thread that a loaded machine may not run for
    # a while: the GCS failsafe gets 2 s of wall time, except where a module keeps
    # ArduCopter's own (its PARAMS, e.g. the failsafe and the parameter probes)
    tolerant = {"FS_GCS_TIMEOUT": gcs_failsafe_timeout_s(speedup or SPEEDUP[backend])}
    params = getattr(request.module, "PARAMS", tolerant)
    probed = Probed(backend, bool(getattr(request.module, "READY", False)), speedup, params)
    try:
        yield probed
    finally:
        probed.close()


@pytest.fixture(scope="module")
def builtin(request: pytest.FixtureRequest) -> Iterator[Probed]:
    yield from _probed(request, "builtin")


@pytest.fixture(scope="module")
def sitl(request: pytest.FixtureRequest) -> Iterator[Probed]:
    yield from _probed(request, "sitl")


def compare(builtin: Probed, sitl: Probed, probe: Probe, recorded: Any) -> None:
    """The differential check: both backends answer alike, and SITL as recorded."""
    real = sitl.answer(probe)
    ours = builtin.answer(probe)
    assert ours == real, f"{probe.__name__}: the built-in simulator differs from SITL"
    assert real == recorded, f"{probe.__name__}: SITL no longer answers as recorded"
