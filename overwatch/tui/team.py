"""A team on screen: which drones there are, which one the operator's commands address.

Pure. A snapshot shows a team when it carries two drones or more
(``SessionSnapshot.drones``); a single drone's screen is what it always was. The
operator addresses the drone on duty (the default: whichever it is when a command
runs), one drone of the team, or every drone at once; ``v`` goes round them in that
order. Each drone is tagged on the map and in the drone panel by its number in the
mission (``1``, ``2`` …).
"""

from __future__ import annotations

from typing import Final, Literal

from overwatch.ops.state import DroneView, SessionSnapshot

#: every drone of the team
ALL: Final = "all"
#: whom the operator's flight commands address: None the drone on duty, an index into
#: ``SessionSnapshot.drones``, or :data:`ALL`
Target = int | None | Literal["all"]


def team_of(snapshot: SessionSnapshot | None) -> tuple[DroneView, ...]:
    """The team's drones in mission order, or ``()`` for a single drone (or none known)."""
    if snapshot is None or len(snapshot.drones) < 2:
        return ()
    return snapshot.drones


def drone_tag(index: int) -> str:
    """The short tag of drone ``index`` on the map and in the panel: its number, from 1.

    >>> drone_tag(0), drone_tag(1)
    ('1', '2')
    """
    return str(index + 1)


def drone_name(drones: tuple[DroneView, ...], index: int) -> str:
    """Drone ``index``'s name, or ``drone N`` for one that has none."""
    name = drones[index].name if 0 <= index < len(drones) else ""
    return name or f"drone {drone_tag(index)}"


def next_target(target: Target, count: int) -> Target:
    """The one after ``target`` for a team of ``count``: on duty → 1 → … → all → on duty.

    >>> [next_target(t, 2) for t in (None, 0, 1, "all")]
    [0, 1, 'all', None]
    """
    if count < 2:
        return None
    if target is None:
        return 0
    if target == ALL:
        return None
    return target + 1 if target + 1 < count else ALL


def addressed_indices(target: Target, snapshot: SessionSnapshot | None) -> tuple[int, ...]:
    """The indices into ``snapshot.drones`` that ``target`` stands for now (the drone on
    duty: the first while none is, as the session does)."""
    drones = team_of(snapshot)
    if not drones:
        return ()
    if target == ALL:
        return tuple(range(len(drones)))
    if target is None:
        duty = snapshot.duty if snapshot is not None else None
        return (duty if duty is not None and 0 <= duty < len(drones) else 0,)
    return (target,) if 0 <= target < len(drones) else ()


def target_label(target: Target, snapshot: SessionSnapshot | None) -> str:
    """Whom commands address, as the drone panel's title says it.

    ``Hexa-2``, ``all drones``, or ``on duty (Hexa-1)`` for the default."""
    drones = team_of(snapshot)
    if target == ALL:
        return "all drones"
    indices = addressed_indices(target, snapshot)
    if not indices:
        return "on duty" if target is None else "—"
    name = drone_name(drones, indices[0])
    return f"on duty ({name})" if target is None else name


def shown_drone(target: Target, snapshot: SessionSnapshot) -> DroneView:
    """The drone whose details the panel shows, whose camera ``M`` marks in and that ``d``
    centres on: the one addressed, or the drone on duty when that is every drone."""
    drones = team_of(snapshot)
    if not drones or target is None or target == ALL:
        return snapshot.drone
    return drones[target] if 0 <= target < len(drones) else snapshot.drone


__all__ = [
    "ALL",
    "Target",
    "addressed_indices",
    "drone_name",
    "drone_tag",
    "next_target",
    "shown_drone",
    "target_label",
    "team_of",
]
