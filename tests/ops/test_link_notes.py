"""The link's notes for the operator: a team's drones named, each drone's own mode, and a
failing pre-arm check said once rather than every 30 s."""

from __future__ import annotations

from overwatch.link import events as ev
from overwatch.ops.inputs import LinkNotes


def beat(sysid: int, mode: str, armed: bool = False) -> ev.Heartbeat:
    return ev.Heartbeat(sysid, 1, 2, 3, 0, 0, mode, armed, 4)


def test_two_drones_on_one_link_keep_their_own_modes_and_are_named() -> None:
    said: list[str] = []
    notes = LinkNotes(lambda _, text: said.append(text), {1: "Hexa-1", 2: "Hexa-2"})
    for _ in range(3):  # interleaved heartbeats of two drones in different modes
        notes(beat(1, "GUIDED"))
        notes(beat(2, "STABILIZE"))
    assert said == []
    notes(beat(2, "GUIDED"))
    notes(ev.StatusText(1, 1, 6, "Arming motors"))
    assert said == ["Hexa-2: mode STABILIZE → GUIDED", "Hexa-1: vehicle: Arming motors"]


def test_a_repeated_prearm_failure_is_said_once_until_it_changes_or_the_drone_arms() -> None:
    said: list[str] = []
    notes = LinkNotes(lambda _, text: said.append(text))
    for _ in range(4):
        notes(ev.StatusText(1, 1, 2, "PreArm: Battery failsafe"))
    notes(ev.StatusText(1, 1, 2, "PreArm: GPS not healthy"))
    notes(beat(1, "GUIDED", armed=True))
    notes(ev.StatusText(1, 1, 2, "PreArm: GPS not healthy"))
    assert said == [
        "vehicle: PreArm: Battery failsafe",
        "vehicle: PreArm: GPS not healthy",
        "vehicle: PreArm: GPS not healthy",
    ]
