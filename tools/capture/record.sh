#!/usr/bin/env bash
# Records a QEMU trace log of stock Debian Linux drivers (nvme, e1000e) driving emulated PCIe
# devices under TCG, on x86_64 (q35) or aarch64 (virt). See tools/capture/README.md.
#
#   tools/capture/record.sh --arch x86_64 --devices nvme,e1000e --trace filtered \
#       --filter-device nvme --out traces/captures/x86-q35-nvme.log
#
# Installs what it needs with apt-get (root), downloads the guest kernel package and unpacks it
# into the work directory (never installs a kernel into the host), builds a busybox initramfs
# with the modules and tools/capture/init.sh as /init, boots the guest with tracing, and writes
# the log: the whole log (--trace full) or the lines about one device (--trace filtered,
# tools/capture/filter.py). The raw log, the console output and the QEMU command line stay in
# the work directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ARCH=x86_64
DEVICES=nvme,e1000e
TRACE=filtered
FILTER_DEVICE=
OUT=
WORK=/var/tmp/mmio-replay-capture
TIMEOUT=1800
KVER=
UNTIL_MARKER=
FROM_MARKER=
INSTALL=1

usage() {
    cat <<EOF
usage: $0 [options]
  --arch x86_64|aarch64     guest architecture (default x86_64: q35; aarch64: virt)
  --devices LIST            comma-separated subset of nvme,e1000e (default nvme,e1000e)
  --trace full|filtered     keep every line, or only the lines of one device (default filtered)
  --filter-device TYPE      device kept by --trace filtered (default: the first of --devices)
  --from-marker N           start the written log at marker N (drops the boot; raw log kept)
  --until-marker N          stop the written log before marker N (cuts a long log; raw log kept)
  --out FILE                where to write the log (default WORK/ARCH/trace-MODE.log)
  --work DIR                work directory (default $WORK)
  --timeout SECONDS         kill QEMU after this long (default $TIMEOUT)
  --kernel-version VER      Debian kernel ABI, e.g. 6.1.0-57 (default: what linux-image-<arch> depends on)
  --no-install              do not run apt-get install (packages must be there)
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --arch) ARCH=$2; shift 2 ;;
        --devices) DEVICES=$2; shift 2 ;;
        --trace) TRACE=$2; shift 2 ;;
        --filter-device) FILTER_DEVICE=$2; shift 2 ;;
        --until-marker) UNTIL_MARKER=$2; shift 2 ;;
        --from-marker) FROM_MARKER=$2; shift 2 ;;
        --out) OUT=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        --timeout) TIMEOUT=$2; shift 2 ;;
        --kernel-version) KVER=$2; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "unknown option: $1" >&2; usage >&2; exit 64 ;;
    esac
done

case "$ARCH" in
    x86_64|amd64) ARCH=x86_64; DEBARCH=amd64; QEMU=qemu-system-x86_64; QPKG=qemu-system-x86 ;;
    aarch64|arm64) ARCH=aarch64; DEBARCH=arm64; QEMU=qemu-system-aarch64; QPKG=qemu-system-arm ;;
    *) echo "--arch must be x86_64 or aarch64" >&2; exit 64 ;;
esac
case "$TRACE" in full|filtered) ;; *) echo "--trace must be full or filtered" >&2; exit 64 ;; esac
IFS=, read -r -a DEVLIST <<<"$DEVICES"
for d in "${DEVLIST[@]}"; do
    case "$d" in nvme|e1000e) ;; *) echo "unknown device $d (nvme, e1000e)" >&2; exit 64 ;; esac
done
[ ${#DEVLIST[@]} -gt 0 ] || { echo "--devices is empty" >&2; exit 64; }
FILTER_DEVICE=${FILTER_DEVICE:-${DEVLIST[0]}}

say() { echo "record.sh: $*" >&2; }

# ------------------------------------------------------------------ host packages
if [ "$INSTALL" = 1 ]; then
    [ "$(id -u)" -eq 0 ] || { echo "run as root (apt-get), or install the packages and pass --no-install" >&2; exit 1; }
    export DEBIAN_FRONTEND=noninteractive
    need_update=0
    if [ "$DEBARCH" = arm64 ] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
        dpkg --add-architecture arm64
        need_update=1
    fi
    missing=()
    for p in "$QPKG" busybox-static cpio gzip xz-utils zstd kmod python3; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ] || [ $need_update = 1 ] || [ ! -d /var/lib/apt/lists ] || \
       [ -z "$(ls /var/lib/apt/lists/*_Packages* 2>/dev/null | head -n 1)" ]; then
        say "apt-get update"
        apt-get update -qq
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
fi
command -v "$QEMU" >/dev/null || { echo "$QEMU not found" >&2; exit 1; }

# ------------------------------------------------------------------ guest kernel and busybox
D=$WORK/$ARCH
mkdir -p "$D/debs"
if [ -z "$KVER" ]; then
    dep=$(apt-cache depends "linux-image-$DEBARCH:$DEBARCH" 2>/dev/null | sed -n 's/^ *Depends: linux-image-\(.*\)-'"$DEBARCH"'.*$/\1/p' | head -n 1)
    [ -n "$dep" ] || { echo "cannot tell the kernel version from linux-image-$DEBARCH; pass --kernel-version" >&2; exit 1; }
    KVER=$dep
fi
KREL=$KVER-$DEBARCH                      # e.g. 6.1.0-57-amd64
KDIR=$D/kernel-$KREL
if [ ! -e "$KDIR/boot/vmlinuz-$KREL" ]; then
    say "downloading linux-image-$KREL"
    (cd "$D/debs" && apt-get download "linux-image-$KREL:$DEBARCH" 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
    deb=$(ls "$D/debs/linux-image-${KREL}_"*"_$DEBARCH.deb" 2>/dev/null | head -n 1)
    [ -n "$deb" ] || { echo "apt-get download linux-image-$KREL:$DEBARCH failed (run apt-get update?)" >&2; exit 1; }
    rm -rf "$KDIR.tmp" && mkdir -p "$KDIR.tmp"
    dpkg -x "$deb" "$KDIR.tmp"
    depmod -b "$KDIR.tmp" "$KREL"
    mv "$KDIR.tmp" "$KDIR"
fi
KPKGVER=$(dpkg-deb -f "$(ls "$D/debs/linux-image-${KREL}_"*"_$DEBARCH.deb" | head -n 1)" Version)
MODROOT=$KDIR/lib/modules/$KREL
[ -s "$MODROOT/modules.dep" ] || depmod -b "$KDIR" "$KREL"

if [ "$DEBARCH" = amd64 ]; then
    BUSYBOX=/bin/busybox
    BBVER=$(dpkg-query -W -f='${Version}' busybox-static)
else
    BBDIR=$D/busybox-arm64
    if [ ! -x "$BBDIR/bin/busybox" ]; then
        say "downloading busybox-static:arm64"
        (cd "$D/debs" && apt-get download busybox-static:arm64 2>&1 | grep -v '^W: Download is performed unsandboxed' >&2 || true)
        rm -rf "$BBDIR" && mkdir -p "$BBDIR"
        dpkg -x "$(ls "$D"/debs/busybox-static_*_arm64.deb | head -n 1)" "$BBDIR"
    fi
    BUSYBOX=$BBDIR/bin/busybox
    BBVER=$(dpkg-deb -f "$(ls "$D"/debs/busybox-static_*_arm64.deb | head -n 1)" Version)
fi

# ------------------------------------------------------------------ initramfs
STAGE=$D/initramfs
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,dev,proc,sys,tmp,lib/modules}
cp "$BUSYBOX" "$STAGE/bin/busybox"
ln -s busybox "$STAGE/bin/sh"
cp "$HERE/init.sh" "$STAGE/init"
cp "$HERE/udhcpc.sh" "$STAGE/udhcpc.sh"
chmod 755 "$STAGE/init" "$STAGE/udhcpc.sh"
[ "$(id -u)" -eq 0 ] && mknod -m 600 "$STAGE/dev/console" c 5 1
printf 'DEVICES="%s"\nKVER="%s"\n' "${DEVLIST[*]}" "$KREL" > "$STAGE/capture.conf"

# copy_module NAME: the module and its dependencies (modules.dep), and NAME.order listing them
# dependencies first (modules.dep lists the ones needed last first, as modprobe reads it).
copy_module() {
    local line ko deps=() order=() i f
    line=$(grep -E "(^|/)$1\.ko(\.xz|\.zst|\.gz)?:" "$MODROOT/modules.dep" | head -n 1)
    [ -n "$line" ] || { echo "module $1 not in $MODROOT/modules.dep" >&2; exit 1; }
    ko=${line%%:*}
    read -r -a deps <<<"${line#*:}"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do order+=("${deps[i]}"); done
    order+=("$ko")
    : > "$STAGE/lib/modules/$1.order"
    for f in "${order[@]}"; do
        local base
        base=$(basename "$f"); base=${base%.xz}; base=${base%.zst}; base=${base%.gz}
        case "$f" in      # busybox insmod is given plain .ko files
            *.xz) xz -dc "$MODROOT/$f" > "$STAGE/lib/modules/$base" ;;
            *.zst) zstd -qdc "$MODROOT/$f" > "$STAGE/lib/modules/$base" ;;
            *.gz) gzip -dc "$MODROOT/$f" > "$STAGE/lib/modules/$base" ;;
            *) cp "$MODROOT/$f" "$STAGE/lib/modules/$base" ;;
        esac
        echo "$base" >> "$STAGE/lib/modules/$1.order"
    done
}
for d in "${DEVLIST[@]}"; do copy_module "$d"; done
INITRD=$D/initramfs.cpio.gz
(cd "$STAGE" && find . | sort | cpio -o -H newc --quiet | gzip -6 > "$INITRD")

# ------------------------------------------------------------------ QEMU
DISK=$D/nvme.img
rm -f "$DISK" && truncate -s 64M "$DISK"
RAW=$D/trace-raw.log
CONSOLE=$D/console.log
rm -f "$RAW" "$CONSOLE"

args=(-accel tcg -smp 2 -m 512 -nodefaults -display none -no-reboot -monitor none
      -serial "file:$CONSOLE" -kernel "$KDIR/boot/vmlinuz-$KREL" -initrd "$INITRD")
if [ "$ARCH" = x86_64 ]; then
    # io_delay=none: Linux's outb_p() delays would otherwise write stray values to port 0x80.
    args=(-M q35 -cpu max "${args[@]}" -append "console=ttyS0 quiet io_delay=none panic=-1")
else
    # pauth-impdef=on: a cheaper pointer-authentication algorithm, only for TCG speed.
    args=(-M virt -cpu max,pauth-impdef=on "${args[@]}" -append "console=ttyAMA0 quiet panic=-1")
fi
traces=(-trace 'pci_cfg_*' -trace 'memory_region_ops_*' -trace 'pci_update_mappings*' -trace msix_write_config)
for d in "${DEVLIST[@]}"; do
    case "$d" in
        nvme)
            args+=(-device pcie-root-port,id=rp1,bus=pcie.0,addr=0x10,chassis=1,port=1
                   -drive "file=$DISK,if=none,id=nvm,format=raw"
                   -device nvme,serial=deadbeef,drive=nvm,bus=rp1)
            traces=(-trace 'pci_nvme_*' "${traces[@]}") ;;
        e1000e)
            # restrict=on: user-mode network with no way out of QEMU (DHCP and the gateway only).
            args+=(-device pcie-root-port,id=rp2,bus=pcie.0,addr=0x11,chassis=2,port=2
                   -netdev user,id=net0,restrict=on
                   -device e1000e,netdev=net0,mac=52:54:00:12:34:56,bus=rp2)
            traces=(-trace 'e1000e_*' "${traces[@]}") ;;
    esac
done
args+=(-msg timestamp=on -D "$RAW" "${traces[@]}")

printf '%q ' "$QEMU" "${args[@]}" > "$D/qemu-cmdline.txt"; echo >> "$D/qemu-cmdline.txt"
{
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host: $(. /etc/os-release && echo "$PRETTY_NAME") $(uname -m)"
    echo "qemu: $($QEMU --version | head -n 1) (package $QPKG $(dpkg-query -W -f='${Version}' "$QPKG"))"
    echo "kernel: linux-image-$KREL $KPKGVER"
    echo "busybox: busybox-static:$DEBARCH $BBVER"
    echo "devices: ${DEVLIST[*]}"
} > "$D/versions.txt"
say "booting $ARCH guest (devices: ${DEVLIST[*]}; timeout ${TIMEOUT}s); console: $CONSOLE"
start=$(date +%s)
rc=0
timeout -k 15 "$TIMEOUT" "$QEMU" "${args[@]}" </dev/null || rc=$?
secs=$(( $(date +%s) - start ))
echo "run: ${secs}s, qemu exit $rc" >> "$D/versions.txt"
if [ $rc = 124 ] || [ $rc = 137 ]; then
    say "QEMU did not finish within ${TIMEOUT}s: killed; the log is kept but is incomplete"
elif [ $rc != 0 ]; then
    say "QEMU exited with status $rc"
fi
grep -q 'capture: MARK 99' "$CONSOLE" || say "the guest did not reach marker 99 (see $CONSOLE)"
say "guest ran ${secs}s; raw log $(wc -l < "$RAW") lines, $(du -h "$RAW" | cut -f1)"

# ------------------------------------------------------------------ output
OUT=${OUT:-$D/trace-$TRACE.log}
mkdir -p "$(dirname "$OUT")"
fargs=()
[ -n "$FROM_MARKER" ] && fargs+=(--from-marker "$FROM_MARKER")
[ -n "$UNTIL_MARKER" ] && fargs+=(--until-marker "$UNTIL_MARKER")
if [ "$TRACE" = full ]; then
    if [ ${#fargs[@]} -gt 0 ]; then
        python3 "$HERE/filter.py" "$RAW" --all "${fargs[@]}" -o "$OUT"
    else
        cp "$RAW" "$OUT"
    fi
else
    python3 "$HERE/filter.py" "$RAW" --device "$FILTER_DEVICE" "${fargs[@]}" -o "$OUT"
fi
{
    echo "raw log: $(wc -l < "$RAW") lines, $(stat -c %s "$RAW") bytes"
    echo "output: $OUT ($TRACE${FROM_MARKER:+, from marker $FROM_MARKER}${UNTIL_MARKER:+, until marker $UNTIL_MARKER}): $(wc -l < "$OUT") lines, $(stat -c %s "$OUT") bytes"
} >> "$D/versions.txt"
say "wrote $OUT: $(wc -l < "$OUT") lines, $(du -h "$OUT" | cut -f1)"
say "markers in it: $(python3 "$HERE/filter.py" "$OUT" --markers | awk '{print $4}' | tr '\n' ' ')"
exit 0
