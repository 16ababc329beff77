"""Fixtures: ``backend`` runs a test on the built-in simulator and (marked ``sitl``) on SITL.

The ``sitl`` parameter exists only where ``ARDUPILOT_SITL`` names an
``arducopter`` binary; elsewhere tests/conftest.py deselects it, so it is
never reported as passed or skipped. ``builtin`` is for tests that need the
built-in simulator's own fault injector.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.flight.backends import DEFAULT_SPEEDUP, Backend


@pytest.fixture(params=["builtin", pytest.param("sitl", marks=pytest.mark.sitl)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    name = str(request.param)
    started = Backend(name, tmp_path, DEFAULT_SPEEDUP[name])
    try:
        yield started
    finally:
        await started.close()


@pytest.fixture
async def builtin(tmp_path: Path) -> AsyncIterator[Backend]:
    started = Backend("builtin", tmp_path, DEFAULT_SPEEDUP["builtin"])
    try:
        yield started
    finally:
        await started.close()
