"""The map of parts holds: every import contract of pyproject.toml is kept, a new
violation breaks one, and the parts that must stay light load nothing heavy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(project / "pyproject.toml")],
        cwd=project,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(project), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )


def test_every_import_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def _copy_of_the_project(tmp_path: Path) -> Path:
    for part in ("overwatch", "simulator"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(module: Path, line: str) -> None:
    text = module.read_text()
    head = "from __future__ import annotations\n"
    assert head in text, module
    module.write_text(text.replace(head, head + line + "\n", 1))


def test_a_link_that_imports_the_live_session_breaks_the_layers(tmp_path: Path) -> None:
    project = _copy_of_the_project(tmp_path)
    _add_import(project / "overwatch/link/tlog.py", "import overwatch.ops.session")
    result = lint_imports(project)
    assert result.returncode == 1
    assert "overwatch is layered: a part imports only the parts below it BROKEN" in result.stdout
    assert "overwatch.link.tlog -> overwatch.ops.session" in result.stdout


def test_overwatch_importing_the_simulator_breaks_a_contract(tmp_path: Path) -> None:
    project = _copy_of_the_project(tmp_path)
    _add_import(project / "overwatch/commands/score.py", "import simulator.fleet")
    result = lint_imports(project)
    assert result.returncode == 1
    assert "never by import BROKEN" in result.stdout


def test_the_shared_models_load_neither_pyav_nor_opencv() -> None:
    code = (
        "import sys, overwatch.camera, overwatch.scenario, simulator, simulator.fleet;"
        "print(sorted(m for m in ('av', 'cv2', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_error_class_is_defined_in_the_one_error_tree() -> None:
    import importlib
    import inspect
    import pkgutil

    import overwatch
    import overwatch.errors
    import simulator

    elsewhere = []
    for package in (overwatch, simulator):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, BaseException)
                    and cls.__module__ == info.name != "overwatch.errors"
                ):
                    elsewhere.append(f"{info.name}.{name}")
    assert elsewhere == []
    # and the tree drawn at the top of the module names every class in it
    tree = overwatch.errors.__doc__ or ""
    defined = [
        name
        for name, cls in inspect.getmembers(overwatch.errors, inspect.isclass)
        if issubclass(cls, overwatch.errors.OverwatchError)
    ]
    assert [name for name in defined if f" {name} " not in tree] == []
