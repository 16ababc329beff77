#!/usr/bin/env bash
# A venv with the base install only (`pip install .`, no extras), for tests/cli/test_base_install.py.
# Made before the tests start: they run in a network namespace with loopback only, where pip
# cannot reach the package index. The test refreshes Overwatch in it offline.
set -euo pipefail
venv="${1:-.venv-base}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
stamp="$venv/.overwatch-stamp"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check . setuptools wheel
echo "$want" > "$stamp"
