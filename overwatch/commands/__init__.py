"""The subcommands of ``overwatch``, one module each, and what they share.

A command module imports only the base dependencies at import time, so
``overwatch --help`` works on a plain ``pip install overwatch``; what needs an
optional extra is imported where it is used, and a missing one is named with
the extra that brings it (:func:`extra_message`).
"""

from __future__ import annotations

#: the optional packages, by top-level module, and the extra that installs each
EXTRAS = {
    "matplotlib": "report",
    "av": "video",
    "cv2": "video",
    "onnxruntime": "video",
    "pytak": "tak",
    "pyogrio": "gis",
}


def missing_extra(exc: ModuleNotFoundError) -> str | None:
    """The extra to install for ``exc``, when the missing module belongs to one."""
    return EXTRAS.get(missing_module(exc))


def missing_module(exc: ModuleNotFoundError) -> str:
    """The top-level name of the module ``exc`` did not find (``matplotlib``)."""
    return (exc.name or "").split(".", 1)[0]


def extra_message(module: str, extra: str, what: str = "this") -> str:
    """One line that says which extra brings ``module``.

    >>> extra_message("matplotlib", "report", "the map")
    "the map needs matplotlib, which is not installed: pip install 'overwatch[report]'"
    """
    return f"{what} needs {module}, which is not installed: pip install 'overwatch[{extra}]'"


def preflight(*modules: str) -> None:
    """Import ``modules`` now, so a missing extra stops the command before it starts work.

    A ``ModuleNotFoundError`` from here reaches the command line, which names
    the extra to install (see :data:`EXTRAS`).
    """
    import importlib

    for name in modules:
        importlib.import_module(name)
