"""One real run directory, built once for the scoring tests (see runbuild.py)."""

from __future__ import annotations

import pytest

from tests.scoring.runbuild import BuiltRun, build_run


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltRun:
    return build_run(tmp_path_factory.mktemp("scoring") / "run")
