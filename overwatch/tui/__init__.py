"""The Textual terminal UI. It shows session snapshots and sends operator commands.

>>> from overwatch.tui import make_app  # doctest: +SKIP
>>> app = make_app(geometry, LatestSnapshot(first), session)  # doctest: +SKIP
>>> app.run()  # doctest: +SKIP
"""

from overwatch.tui.app import OverwatchApp, make_app
from overwatch.tui.source import LatestSnapshot, PushSnapshotSource, SnapshotSource

__all__ = ["LatestSnapshot", "OverwatchApp", "PushSnapshotSource", "SnapshotSource", "make_app"]
