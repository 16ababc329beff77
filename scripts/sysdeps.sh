#!/usr/bin/env bash
# Install the system tools the tests drive for real, when they are missing.
# Needs root (or sudo); otherwise says what to install and carries on.
set -euo pipefail
packages=(tmux socat iproute2 util-linux gpsd gpsd-clients gpsd-tools python3-gps gdal-bin gstreamer1.0-tools gstreamer1.0-libav gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gir1.2-gst-rtsp-server-1.0 python3-gi)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
    echo "sysdeps: not a Debian/Ubuntu machine; please install: ${missing[*]}" >&2
    exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"; else
        echo "sysdeps: run as root or install: ${missing[*]}" >&2
        exit 0
    fi
fi
echo "sysdeps: installing ${missing[*]}"
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
