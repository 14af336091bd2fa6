#!/bin/busybox sh
# /init of the capture guest (busybox initramfs built by tools/capture/record.sh).
#
# Loads the stock drivers, drives each device through the steps of the marker table in
# tools/capture/README.md, and marks each step by writing its number to I/O port 0x80 through
# /dev/port. QEMU's memory_region_ops_write trace shows the marker as a write to 'ioport80'
# (x86) or to 'gpex_ioport_window' (arm64 virt, the PCI I/O window). Every step also prints
# "capture: MARK N ..." on the console.
#
# /capture.conf (written by record.sh) sets DEVICES (e.g. "nvme e1000e") and KVER.

/bin/busybox mkdir -p /proc /sys /dev /tmp /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1

DEVICES="nvme e1000e"
[ -f /capture.conf ] && . /capture.conf
MODDIR=/lib/modules

log() { echo "capture: $*"; }

# mark N [text]: write N (0..255) to I/O port 0x80.
mark() {
    log "MARK $1 ${2:-}"
    printf "\\$(printf %o "$1")" | dd of=/dev/port bs=1 seek=128 count=1 conv=notrunc 2>/dev/null \
        || log "marker $1: writing /dev/port failed"
}

# load MODULE...: insmod each module and its dependencies, in the order record.sh computed
# from modules.dep (file /lib/modules/NAME.order lists the .ko files, dependencies first).
load() {
    for m in "$@"; do
        while read -r ko; do
            name=$(basename "$ko" .ko)
            name=$(echo "$name" | tr - _)
            grep -q "^$name " /proc/modules && continue
            insmod "$MODDIR/$ko" || log "insmod $ko failed"
        done < "$MODDIR/$m.order"
    done
}

# find_pci VENDOR DEVICE: the first PCI address with these IDs (e.g. 0000:01:00.0)
find_pci() {
    for d in /sys/bus/pci/devices/*; do
        [ "$(cat "$d/vendor")" = "$1" ] && [ "$(cat "$d/device")" = "$2" ] && { basename "$d"; return 0; }
    done
    return 1
}

# wait_for PATH [SECONDS]: poll until PATH exists (default 20 s)
wait_for() {
    n=0; lim=$(( ${2:-20} * 10 ))
    while [ ! -e "$1" ]; do
        n=$((n + 1)); [ $n -ge $lim ] && { log "timed out waiting for $1"; return 1; }
        usleep 100000
    done
    return 0
}

has() { case " $DEVICES " in *" $1 "*) return 0 ;; esac; return 1; }

mark 1 "init started ($(uname -r), devices: $DEVICES)"

# ---------------------------------------------------------------- NVMe (markers 10-17)
if has nvme; then
    BDF=$(find_pci 0x1b36 0x0010) || log "no NVMe controller (1b36:0010) found"
    if [ -n "$BDF" ]; then
        log "nvme at $BDF"
        mark 10 "load nvme: probe"
        load nvme
        wait_for /dev/nvme0n1 30 && sleep 1

        mark 11 "block I/O: buffered reads, O_DIRECT writes, read back and compare"
        dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=64 2>/dev/null
        dd if=/dev/nvme0n1 of=/dev/null bs=65536 count=8 skip=16 2>/dev/null
        dd if=/dev/urandom of=/tmp/pattern bs=4096 count=16 2>/dev/null
        dd if=/tmp/pattern of=/dev/nvme0n1 bs=4096 count=16 seek=256 oflag=direct conv=notrunc 2>/dev/null \
            || log "O_DIRECT write failed"
        dd if=/dev/nvme0n1 of=/tmp/readback bs=4096 count=16 skip=256 iflag=direct 2>/dev/null \
            || log "O_DIRECT read failed"
        if cmp -s /tmp/pattern /tmp/readback; then log "read back matches"; else log "read back DIFFERS"; fi
        sync

        mark 12 "SMART log page through hwmon"
        for t in /sys/class/nvme/nvme0/hwmon*/temp*_input /sys/class/nvme/nvme0/device/hwmon/hwmon*/temp*_input; do
            [ -e "$t" ] && log "$t = $(cat "$t")"
        done

        mark 13 "FLR: echo 1 > /sys/bus/pci/devices/$BDF/reset"
        [ -e /sys/bus/pci/devices/$BDF/reset_method ] && log "reset_method: $(cat /sys/bus/pci/devices/$BDF/reset_method)"
        echo 1 > /sys/bus/pci/devices/$BDF/reset || log "reset failed"
        sleep 1
        dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=4 iflag=direct 2>/dev/null

        mark 14 "NVMe controller reset (reset_controller)"
        echo 1 > /sys/class/nvme/nvme0/reset_controller || log "reset_controller failed"
        sleep 1
        dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=4 iflag=direct 2>/dev/null

        mark 15 "unbind from nvme"
        echo "$BDF" > /sys/bus/pci/drivers/nvme/unbind
        sleep 1

        mark 16 "rebind to nvme"
        echo "$BDF" > /sys/bus/pci/drivers/nvme/bind
        wait_for /dev/nvme0n1 30 && sleep 1
        dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=4 iflag=direct 2>/dev/null

        mark 17 "PCI remove + rescan"
        echo 1 > /sys/bus/pci/devices/$BDF/remove
        sleep 1
        echo 1 > /sys/bus/pci/rescan
        wait_for /dev/nvme0n1 30 && sleep 1
        dd if=/dev/nvme0n1 of=/dev/null bs=4096 count=4 iflag=direct 2>/dev/null
    fi
fi

# ---------------------------------------------------------------- e1000e (markers 20-25)
if has e1000e; then
    BDF=$(find_pci 0x8086 0x10d3) || log "no e1000e (8086:10d3) found"
    if [ -n "$BDF" ]; then
        log "e1000e at $BDF"
        mark 20 "load e1000e: probe"
        load e1000e
        wait_for /sys/bus/pci/devices/$BDF/net 20
        IF=$(ls /sys/bus/pci/devices/$BDF/net 2>/dev/null | head -n 1)
        log "interface ${IF:-none}"

        mark 21 "link up, DHCP, ping 10.0.2.2"
        ip link set "$IF" up
        n=0
        while [ "$(cat /sys/class/net/$IF/carrier 2>/dev/null)" != 1 ] && [ $n -lt 100 ]; do
            usleep 100000; n=$((n + 1))
        done
        log "carrier $(cat /sys/class/net/$IF/carrier 2>/dev/null) after ${n}00 ms"
        udhcpc -i "$IF" -n -q -t 5 -T 2 -s /udhcpc.sh 2>&1 | grep -v '^$' || true
        ip -4 addr show dev "$IF" | grep -q inet || ip addr add 10.0.2.15/24 dev "$IF"
        ping -c 3 -W 2 10.0.2.2 || log "ping failed"

        mark 22 "PM reset (D3hot -> D0)"
        RM=/sys/bus/pci/devices/$BDF/reset_method
        if [ -e "$RM" ]; then
            log "reset_method: $(cat "$RM")"
            echo pm > "$RM" 2>/dev/null || log "device has no PM reset"
        fi
        echo 1 > /sys/bus/pci/devices/$BDF/reset || log "reset failed"
        [ -e "$RM" ] && echo default > "$RM" 2>/dev/null
        sleep 2

        mark 23 "link down"
        ip link set "$IF" down
        sleep 1

        mark 24 "unbind from e1000e"
        echo "$BDF" > /sys/bus/pci/drivers/e1000e/unbind
        sleep 1

        mark 25 "rebind to e1000e"
        echo "$BDF" > /sys/bus/pci/drivers/e1000e/bind
        wait_for /sys/bus/pci/devices/$BDF/net 20
        sleep 2
    fi
fi

mark 90 "done"
sync
mark 99 "power off"
poweroff -f
