#!/usr/bin/env bash
# FreeTAKServer, the TAK server tests/cot/test_takserver.py starts, in a venv of its own:
# its pinned dependencies clash with Overwatch's. FreeTAKServer 2.2.1's CoT services fail to
# start with OpenTelemetry 1.25 and later ("property 'span_exporter' … has no setter"), so
# OpenTelemetry stays at 1.24.
set -euo pipefail
venv="${1:-.venv-takserver}"
want="FreeTAKServer==2.2.1 opentelemetry-api==1.24.0 opentelemetry-sdk==1.24.0"
stamp="$venv/.overwatch-stamp"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    exit 0
fi
echo "takserver: installing $want into $venv…"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
# shellcheck disable=SC2086  # one word per requirement
"$venv/bin/python" -m pip install --quiet $want
echo "$want" > "$stamp"
