"""Test doubles for the ops layer and shared fixtures for the UI tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from overwatch.mission import MissionGeometry, load_mission
from overwatch.ops.state import LatLon, SessionSnapshot
from overwatch.tui import OverwatchApp, make_app
from overwatch.tui.sample import synthetic_snapshot

MISSION = Path(__file__).resolve().parents[2] / "missions" / "vehicle-patrol.yaml"


class ScriptedSession:
    """A stand-in for the live session: records every call, refuses what it is told to."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[object, ...]]] = []
        self.refuse: dict[str, Exception] = {}

    async def _call(self, name: str, *args: object) -> None:
        self.calls.append((name, args))
        if name in self.refuse:
            raise self.refuse[name]

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]

    async def start_overwatch(self) -> None:
        await self._call("start_overwatch")

    async def hold(self) -> None:
        await self._call("hold")

    async def resume(self) -> None:
        await self._call("resume")

    async def return_to_launch(self) -> None:
        await self._call("return_to_launch")

    async def land(self) -> None:
        await self._call("land")

    async def set_strategy(self, name: str) -> None:
        await self._call("set_strategy", name)

    async def start_follow_baseline(self) -> None:
        await self._call("start_follow_baseline")

    async def arm_and_takeoff(self) -> None:
        await self._call("arm_and_takeoff")

    async def look_at(self, position: LatLon) -> None:
        await self._call("look_at", position)

    async def mark_cue(self, position: LatLon, kind: str = "unknown", note: str = "") -> str:
        await self._call("mark_cue", position, kind, note)
        return "m001"

    async def acknowledge_cue(self, cue_id: str) -> None:
        await self._call("acknowledge_cue", cue_id)

    async def dismiss_cue(self, cue_id: str) -> None:
        await self._call("dismiss_cue", cue_id)

    async def note_cue(self, cue_id: str, text: str) -> None:
        await self._call("note_cue", cue_id, text)


class ScriptedTeam(ScriptedSession):
    """A team's stand-in: :meth:`addressed` gives each drone its commands, and every call
    is recorded in :attr:`sent` as ``(drone index, command)`` (None: not addressed);
    :attr:`refuse_drone` refuses one drone's commands."""

    def __init__(self, crew: int | None = None, owner: ScriptedTeam | None = None) -> None:
        super().__init__()
        self.crew = crew
        self.owner = owner or self
        self.sent: list[tuple[int | None, str]] = [] if owner is None else owner.sent
        self.refuse_drone: dict[int, dict[str, Exception]] = {}

    def addressed(self, crew: int | None) -> ScriptedTeam:
        return ScriptedTeam(crew, self.owner)

    async def _call(self, name: str, *args: object) -> None:
        self.sent.append((self.crew, name))
        refused = self.owner.refuse_drone.get(self.crew, {}) if self.crew is not None else {}
        if name in refused:
            raise refused[name]
        await super()._call(name, *args)


class SteppedSource:
    """A snapshot source the test advances by hand."""

    def __init__(self, snapshots: list[SessionSnapshot]) -> None:
        self.snapshots = snapshots
        self.index = 0

    def latest(self) -> SessionSnapshot:
        return self.snapshots[self.index]

    def advance(self) -> SessionSnapshot:
        self.index = min(self.index + 1, len(self.snapshots) - 1)
        return self.latest()


@pytest.fixture(scope="session")
def geometry() -> MissionGeometry:
    return MissionGeometry.of(load_mission(MISSION))


@pytest.fixture
def session() -> ScriptedSession:
    return ScriptedSession()


@pytest.fixture
def sample(geometry: MissionGeometry) -> SessionSnapshot:
    return synthetic_snapshot(geometry)


def build_app(
    geometry: MissionGeometry,
    session: ScriptedSession,
    *snapshots: SessionSnapshot,
    theme: str = "dark",
) -> tuple[OverwatchApp, SteppedSource]:
    source = SteppedSource(list(snapshots) or [synthetic_snapshot(geometry)])
    app = make_app(geometry, source, session, theme=theme)  # type: ignore[arg-type]
    return app, source


async def wait_until(pilot: Pilot[None], done: Callable[[], bool], timeout_s: float = 3.0) -> None:
    """Let the app run until ``done()`` (for the UI's own timers on a busy machine)."""
    for _ in range(int(timeout_s / 0.05)):
        if done():
            return
        await pilot.pause(0.05)
    assert done(), "the UI did not get there in time"
