"""Child processes that do not outlive the program that started them."""

from __future__ import annotations

import ctypes
import signal

_PR_SET_PDEATHSIG = 1


def end_with_parent() -> None:
    """In the child (``preexec_fn``): ask Linux to end it when its parent dies (a crash,
    ``kill -9``), so no simulator or SITL is left running on its ports."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        pass  # not Linux: the caller's stop() still ends it
