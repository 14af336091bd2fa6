#!/usr/bin/env python3
"""Filter a QEMU "log"-backend trace (recorded by tools/capture/record.sh) down to one PCI function.

Kept, for the chosen device (QEMU device type, e.g. nvme or e1000e):
  * pci_cfg_read/write and pci_update_mappings_add/del of the device's BDF(s) and of the root
    port(s) above it (the port whose secondary bus number is the device's bus);
  * memory_region_ops_read/write whose absolute address falls inside a BAR of those functions
    while the BAR is mapped (taken from pci_update_mappings_add/del), and any later access to a
    MemoryRegion (the `mr` pointer) first seen that way: BAR registers, MSI-X table and PBA;
  * config accesses through the legacy 0xcf8/0xcfc pair ('pci-conf-idx' writes that select one
    of the functions, and the 'pci-conf-data' accesses that follow on the same vCPU) and through
    ECAM ('pcie-mmcfg-mmio', decoded as bus/device/function);
  * msix_write_config lines naming the device type;
  * the device model's own events (pci_nvme_* for nvme, e1000e_* for e1000e; --events adds
    prefixes);
  * step markers: writes to 'ioport80' (x86) and writes to port 0x80 of 'gpex_ioport_window'
    (arm64 virt).
With --all nothing is dropped by device (use it with --from-marker/--until-marker to cut a full
log). Lines are copied verbatim; the order is kept.

Usage:
  filter.py RAW.log --device nvme > nvme.log
  filter.py RAW.log --device e1000e --bdf 02:00.0 --root-port 00:11.0 > e1000e.log
  filter.py RAW.log --all --until-marker 15 > full-part.log
  filter.py RAW.log --markers          # list the markers and exit
"""

import argparse
import re
import sys

PREFIX = re.compile(r"^(?:(\d+)@(\d+\.\d+):)?([a-z0-9_]+) (.*)$")
OPS = re.compile(r"^cpu (-?\d+) mr (0x[0-9a-f]+) addr (0x[0-9a-f]+) value (0x[0-9a-f]+) size (\d+)(?: name '(.*)')?$")
CFG = re.compile(r"^(\S+) ([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) @(0x[0-9a-f]+) (->|<-) (0x[0-9a-f]+)")
MAP = re.compile(r"^(\S+) ([0-9a-f]{2}):([0-9a-f]{2})\.([0-7]) (\d+),(0x[0-9a-f]+)\+(0x[0-9a-f]+)")
MSIX = re.compile(r"^dev (\S+) ")

# Device model event prefixes per QEMU device type.
EVENT_PREFIXES = {
    "nvme": ["pci_nvme_"],
    "e1000e": ["e1000e_"],
    "e1000": ["e1000_"],
    "igb": ["igb_"],
}

# Known ECAM bases: q35 (0xb0000000), arm virt high ECAM (0x4010000000), arm virt low (0x3f000000).
ECAM_BASES = [0x4010000000, 0xB0000000, 0x3F000000]
ECAM_SIZES = {0x4010000000: 0x10000000, 0xB0000000: 0x10000000, 0x3F000000: 0x1000000}

MARKER_REGIONS = ("ioport80", "gpex_ioport_window")


def ecam_bdf(addr):
    """(bus, dev, fn) of an ECAM access, or None."""
    off = None
    for base in ECAM_BASES:
        if base <= addr < base + ECAM_SIZES[base]:
            off = addr - base
            break
    if off is None:
        if addr < 0x10000000:  # QEMU printed the offset inside the window (region reached by alias)
            off = addr
        else:
            return None
    return ((off >> 20) & 0xFF, (off >> 15) & 0x1F, (off >> 12) & 0x7)


def marker_value(name, addr, value, is_write):
    """The step number if this memory_region_ops line is a marker write, else None."""
    if not is_write or name not in MARKER_REGIONS:
        return None
    if name == "ioport80" or (addr & 0xFFFF) == 0x80:
        return value & 0xFF
    return None


def parse(line):
    m = PREFIX.match(line)
    if not m:
        return None, None
    return m.group(3), m.group(4)


def bdf_str(bus, dev, fn):
    return "%02x:%02x.%x" % (bus, dev, fn)


def first_pass(path, device, bdfs, root_ports):
    """Find the device's BDFs and the root ports above them, unless given."""
    found = set()
    sec = {}  # root port BDF -> set of secondary bus numbers written
    with open(path, errors="replace") as f:
        for line in f:
            ev, args = parse(line)
            if ev in ("pci_cfg_read", "pci_cfg_write", "pci_update_mappings_add", "pci_update_mappings_del"):
                m = (CFG if ev.startswith("pci_cfg") else MAP).match(args)
                if not m:
                    continue
                name, b = m.group(1), bdf_str(int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16))
                if name == device:
                    found.add(b)
                if ev == "pci_cfg_write" and name == "pcie-root-port":
                    off, val = int(m.group(5), 16), int(m.group(7), 16)
                    if off == 0x19:
                        sec.setdefault(b, set()).add(val & 0xFF)
                    elif off == 0x18:
                        sec.setdefault(b, set()).add((val >> 8) & 0xFF)
    if not bdfs:
        bdfs = sorted(found)
    if not root_ports:
        buses = {int(b.split(":")[0], 16) for b in bdfs}
        root_ports = sorted(rp for rp, s in sec.items() if s & buses and rp not in bdfs)
    return bdfs, root_ports


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("log")
    ap.add_argument("--device", help="QEMU device type to keep (nvme, e1000e, ...)")
    ap.add_argument("--bdf", action="append", default=[], help="the device's bus:dev.fn (default: found in the log)")
    ap.add_argument("--root-port", action="append", default=[], help="root port bus:dev.fn (default: found)")
    ap.add_argument("--events", action="append", default=[], help="extra device-model event prefix to keep")
    ap.add_argument("--all", action="store_true", help="keep every line (for cutting a full log)")
    ap.add_argument("--from-marker", type=int, help="start at the first write of this marker (the topology lines before it are dropped!)")
    ap.add_argument("--until-marker", type=int, help="stop before the first write of this marker")
    ap.add_argument("--markers", action="store_true", help="list the marker writes and exit")
    ap.add_argument("-o", "--output", help="output file (default: standard output)")
    a = ap.parse_args()

    if a.markers:
        with open(a.log, errors="replace") as f:
            for n, line in enumerate(f, 1):
                ev, args = parse(line)
                if ev == "memory_region_ops_write":
                    m = OPS.match(args)
                    if m:
                        v = marker_value(m.group(6), int(m.group(3), 16), int(m.group(4), 16), True)
                        if v is not None:
                            print("line %d: marker %d (%s)" % (n, v, m.group(6)))
        return 0

    if not a.all and not a.device:
        ap.error("give --device TYPE or --all")

    keep_bdfs, prefixes = set(), []
    if not a.all:
        bdfs, rps = first_pass(a.log, a.device, a.bdf, a.root_port)
        if not bdfs:
            sys.exit("filter.py: no PCI function of type %r in %s" % (a.device, a.log))
        keep_bdfs = set(bdfs) | set(rps)
        prefixes = EVENT_PREFIXES.get(a.device, [a.device.replace("-", "_") + "_"]) + a.events
        print("filter.py: device %s at %s, root port(s) %s" % (a.device, ", ".join(bdfs), ", ".join(rps) or "none"),
              file=sys.stderr)

    bars = {}          # (bdf, bar index) -> (start, end)
    mrs = set()        # MemoryRegion pointers seen inside a kept BAR
    cf8 = {}           # vCPU -> BDF selected by the last 0xcf8 write
    started = a.from_marker is None
    kept = total = 0
    markers = []
    out = open(a.output, "w") if a.output else sys.stdout

    with open(a.log, errors="replace") as f:
        for line in f:
            total += 1
            ev, args = parse(line)
            keep = a.all
            if ev in ("memory_region_ops_read", "memory_region_ops_write"):
                m = OPS.match(args)
                if m:
                    cpu, mr, addr, value, name = m.group(1), m.group(2), int(m.group(3), 16), int(m.group(4), 16), m.group(6)
                    mv = marker_value(name, addr, value, ev.endswith("write"))
                    if mv is not None:
                        if not started and mv == a.from_marker:
                            started = True
                        if a.until_marker is not None and mv == a.until_marker:
                            break
                        if started:
                            markers.append(mv)
                        keep = True
                    elif not a.all:
                        if name == "pci-conf-idx" and ev.endswith("write") and addr == 0xCF8:
                            sel = bdf_str((value >> 16) & 0xFF, (value >> 11) & 0x1F, (value >> 8) & 0x7) \
                                if value & 0x80000000 else None
                            cf8[cpu] = sel
                            keep = sel in keep_bdfs
                        elif name == "pci-conf-data":
                            keep = cf8.get(cpu) in keep_bdfs
                        elif name == "pcie-mmcfg-mmio":
                            t = ecam_bdf(addr)
                            keep = t is not None and bdf_str(*t) in keep_bdfs
                        elif mr in mrs:
                            keep = True
                        else:
                            for (s, e) in bars.values():
                                if s <= addr < e:
                                    mrs.add(mr)
                                    keep = True
                                    break
            elif not a.all and ev in ("pci_cfg_read", "pci_cfg_write"):
                m = CFG.match(args)
                keep = bool(m) and bdf_str(int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16)) in keep_bdfs
            elif not a.all and ev in ("pci_update_mappings_add", "pci_update_mappings_del"):
                m = MAP.match(args)
                if m:
                    b = bdf_str(int(m.group(2), 16), int(m.group(3), 16), int(m.group(4), 16))
                    if b in keep_bdfs:
                        keep = True
                        key = (b, int(m.group(5)))
                        if ev.endswith("add"):
                            s = int(m.group(6), 16)
                            bars[key] = (s, s + int(m.group(7), 16))
                        else:
                            bars.pop(key, None)
            elif not a.all and ev == "msix_write_config":
                m = MSIX.match(args)
                keep = bool(m) and m.group(1) == a.device
            elif not a.all and ev is not None:
                keep = any(ev.startswith(p) for p in prefixes)
            if keep and started:
                out.write(line)
                kept += 1

    if out is not sys.stdout:
        out.close()
    print("filter.py: kept %d of %d lines; markers %s" % (kept, total, " ".join(str(v) for v in markers) or "none"),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
