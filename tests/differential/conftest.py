"""Fixtures: one built-in vehicle and (for tests marked ``sitl``) one SITL per test module.

A module sets ``READY = True`` to have each vehicle waited on until it
would arm in GUIDED before its first probe, ``BUILTIN_SPEEDUP`` or
``SITL_SPEEDUP`` to run a backend slower than
:data:`~tests.differential.harness.SPEEDUP` (probes of the first seconds after
boot need a few wall-clock tenths, more on a loaded machine), and ``PARAMS``
(a function of the speed-up) for parameters set at boot. Each probe runs at most once
per vehicle (:meth:`Probed.answer` keeps its answer), so the builtin-only
test and the differential test of a module share one run of the probe on
the built-in simulator, and probes of a module run in the order listed in
its ``PROBES``, also when xdist hands its tests to different workers (a
battery failsafe latched by the last probe must not meet the first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

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
        probes: list[Probe] | None = None,
    ) -> None:
        self.backend = backend
        self.probes = probes or []
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
        """``probe``'s answer; the module's probes listed before it run first, so that each
        finds the vehicle as the list leaves it, whichever test (and xdist worker) asks."""
        name = probe.__name__
        if name not in self.answers:
            if probe in self.probes:
                for earlier in self.probes[: self.probes.index(probe)]:
                    self.answer(earlier)
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
    speedup = getattr(request.module, f"{backend.upper()}_SPEEDUP", None)
    # a module's PARAMS are set at boot (then SITL checks them: it boots a few seconds later)
    params_at = getattr(request.module, "PARAMS", None)
    params = params_at(speedup or SPEEDUP[backend]) if params_at is not None else None
    ready = bool(getattr(request.module, "READY", False))
    probed = Probed(backend, ready, speedup, params, getattr(request.module, "PROBES", None))
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
