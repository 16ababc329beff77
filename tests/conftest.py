"""Session-wide rules: hypothesis profiles, and tests marked ``sitl`` run only where a
real ArduPilot SITL exists.

Hypothesis runs under the ``ci`` profile unless ``HYPOTHESIS_PROFILE`` names
another: ``ci`` is derandomized (the same examples every run, so CI is
repeatable) with modest example counts; ``fuzz`` (``just fuzz``) draws fresh
random examples, ``OVERWATCH_FUZZ_EXAMPLES`` of them per test (10 000 by
default), and keeps what it finds in ``.hypothesis/``.

Without ``ARDUPILOT_SITL=/path/to/arducopter`` every test marked ``sitl`` is
*deselected* — neither run nor counted as a pass or a skip — and the report
says how many and how to enable them. With it, ``-m sitl`` runs only them
(pytest's own marker selection deselects the rest).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from simulator.sitl import outside_interfaces

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=100,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz",
    derandomize=False,
    max_examples=int(os.environ.get("OVERWATCH_FUZZ_EXAMPLES", "10000")),
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

SITL_ENV = "ARDUPILOT_SITL"
_deselected_sitl = pytest.StashKey[int]()


def sitl_enabled() -> bool:
    """True when ``ARDUPILOT_SITL`` names the binary to test against."""
    return bool(os.environ.get(SITL_ENV))


def pytest_configure(config: pytest.Config) -> None:
    if sitl_enabled() and outside_interfaces():
        raise pytest.UsageError(
            f"{SITL_ENV} is set, but this network namespace has interfaces besides loopback "
            f"({', '.join(outside_interfaces())}): ArduPilot SITL listens on all of them. "
            "Run the tests in a loopback-only namespace: `just test`, or "
            "`bash scripts/loopback-only.sh .venv/bin/pytest -m sitl`"
        )


def pytest_report_header(config: pytest.Config) -> str:
    if sitl_enabled():
        return (
            f"sitl: tests marked 'sitl' run against {os.environ[SITL_ENV]} "
            "(loopback-only network namespace)"
        )
    return (
        f"sitl: {SITL_ENV} is not set, tests marked 'sitl' are deselected "
        f"(set {SITL_ENV}=/path/to/arducopter to run them)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if sitl_enabled():
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        (dropped if item.get_closest_marker("sitl") else keep).append(item)
    config.stash[_deselected_sitl] = len(dropped)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


#: what tests measured and recorded with ``record_property("figures", text)``: printed at
#: the end of the run, also from xdist workers (their reports carry the properties)
_figures: list[tuple[str, str]] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _figures.extend(
            (report.nodeid, str(v)) for k, v in report.user_properties if k == "figures"
        )


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    if _figures:
        terminalreporter.section("figures")
        for nodeid, text in _figures:
            terminalreporter.write_line(nodeid)
            for line in text.splitlines():
                terminalreporter.write_line(f"  {line}")
    count = config.stash.get(_deselected_sitl, 0)
    if count:
        terminalreporter.write_line(
            f"sitl: {count} test(s) marked 'sitl' deselected because {SITL_ENV} is not set; "
            f"set {SITL_ENV}=/path/to/arducopter to run them"
        )
