# Overwatch — each recipe brings the local .venv up to date by itself first.

set shell := ["bash", "-euo", "pipefail", "-c"]
set positional-arguments := true

venv := ".venv"
py := venv + "/bin/python"

# Show the recipes.
default:
    @just --list

# Create or refresh .venv when it is missing or pyproject.toml changed.
venv:
    #!/usr/bin/env bash
    set -euo pipefail
    stamp="{{venv}}/.overwatch-stamp"
    want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
    if [ ! -x "{{py}}" ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "setting up {{venv}} (first run or pyproject.toml changed)…"
        python3 -m venv "{{venv}}"
        "{{py}}" -m pip install --quiet --upgrade pip
        "{{py}}" -m pip install --quiet -e ".[dev]"
        echo "$want" > "$stamp"
    fi

# The main job: the demo.
demo *ARGS: venv
    {{venv}}/bin/overwatch demo {{ARGS}}

# System tools the tests drive for real (tmux, socat, gpsd, GStreamer, GDAL); needs root or sudo.
sysdeps:
    bash scripts/sysdeps.sh

# FreeTAKServer in .venv-takserver, for the TAK server test.
takserver:
    bash scripts/takserver.sh .venv-takserver

# Lint and type-check, then run the whole test suite on three workers in a loopback-only
# network namespace (real ArduPilot SITL's tests too, when ARDUPILOT_SITL is set).
test *ARGS: venv sysdeps takserver lint
    bash scripts/base-venv.sh .venv-base
    bash scripts/loopback-only.sh {{py}} -m pytest -n 3 --durations=25 {{ARGS}}

# ruff, mypy --strict and the import contracts of docs/architecture.md.
lint: venv
    {{venv}}/bin/ruff check overwatch simulator tests benchmarks
    {{venv}}/bin/ruff format --check overwatch simulator tests benchmarks
    {{venv}}/bin/mypy
    {{venv}}/bin/lint-imports --no-cache --no-logo

# Speed and quality figures, as ratios against a baseline measured in the same run.
bench *ARGS: venv
    bash scripts/loopback-only.sh {{py}} -m benchmarks {{ARGS}}

# Format the code.
fmt: venv
    {{venv}}/bin/ruff format overwatch simulator tests benchmarks
    {{venv}}/bin/ruff check --fix overwatch simulator tests benchmarks

# The fuzz and property tests with many more examples (HYPOTHESIS_PROFILE=fuzz, N per test):
# `just fuzz 100000 -k "cot or tak"`.
fuzz N="10000" *ARGS: venv
    HYPOTHESIS_PROFILE=fuzz OVERWATCH_FUZZ_EXAMPLES={{N}} nice -n 10 {{py}} -m pytest -q -p no:cacheprovider --timeout=0 --hypothesis-show-statistics tests/feeds/test_fuzz_parsers.py tests/feeds/test_fuzz_loops.py tests/feeds/test_cot_in.py tests/feeds/test_nmea.py tests/link/test_fuzz_reader.py tests/ops/test_input_loops.py tests/formats/test_fuzz_files.py "${@:2}"
