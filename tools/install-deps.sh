#!/usr/bin/env bash
# Installs the system packages mmio-replay needs (Debian/Ubuntu), or says exactly what to install.
# Run by `make demo` and `make test`; safe to run again (installs only what is missing).
set -euo pipefail

# tshark: the test suite checks Wireshark's decoding of the pcap files with tools/wireshark/mmio-replay.lua.
# slurm-wlm, munge: the test suite runs a campaign as a Slurm job array on a throwaway single-node
# cluster (tools/slurm/single-node.sh, docs/slurm.md).
# chromium: the test suite renders compare's HTML report headless and checks the picture.
packages=(libpcap-dev pkg-config tshark libsqlite3-dev slurm-wlm munge chromium)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "installing: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    # wireshark-common (pulled in by tshark) asks whether non-root users may capture; answer no.
    echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "mmio-replay needs these system packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
fi
