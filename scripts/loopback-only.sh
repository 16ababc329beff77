#!/usr/bin/env bash
# Run a command in a network namespace of its own that has loopback only, where this
# machine allows it (as root). ArduPilot SITL's TCP ports listen on every interface, and
# the tests start SITL, simulators, gpsd and TAK peers: inside the namespace none of them
# can be reached from, or reach, any network. Elsewhere the command runs as it is, and
# tests that need the isolation (the 'sitl' ones) refuse to start.
set -euo pipefail
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
    exec unshare -n bash -c 'ip link set lo up && exec "$@"' bash "$@"
fi
echo "loopback-only: cannot make a network namespace here (needs root and unshare); running as is" >&2
exec "$@"
