"""The drone's video in the live session: receive, record, detect, geolocate, cue.

Placeholder interface; the implementation lands with the video integration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from overwatch.ops.session import LiveSession


class VideoPipeline:
    """Receives ``url`` and turns what the detector finds into sightings for ``session``."""

    def __init__(self, session: LiveSession, url: str) -> None:
        self.session = session
        self.url = url

    async def start(self) -> None:
        raise NotImplementedError("video in the live session is not wired yet")

    async def stop(self) -> None:
        return None

    def thumbnail(self) -> npt.NDArray[np.uint8] | None:
        return None

    def status(self) -> str:
        return "no video"
