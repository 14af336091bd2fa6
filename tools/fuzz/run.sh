#!/usr/bin/env bash
# Runs the libFuzzer harnesses of Fuzz/ (docs/reliability.md): each for SECONDS, with a seed
# corpus taken from the project's fixtures and a dictionary of its format's keywords and boundary
# numbers. Prints one line per harness (executions, findings); exits 1 if any harness found
# something (the reproducers are kept in Fuzz/findings/HARNESS/).
#
#   tools/fuzz/run.sh SECONDS [HARNESS...]     # default: every harness
#   FUZZ_RUNS=1000000 tools/fuzz/run.sh 900 ... # at most that many executions (and seconds) each
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-60}
shift || true
all=(mtrace mmiotrace qemu-log ftrace pcap side-file device-model platform policy fault fault-file aer-inject campaign-spec)
harnesses=("${@:-${all[@]}}")
swift=${SWIFT:-swift}

# Sanitizer builds are Linux-only and need the toolchain's clang runtime (libclang_rt.fuzzer).
(cd Fuzz && $swift build -c release -Xswiftc -sanitize=fuzzer,address --product FuzzReaders >/dev/null)
binary=Fuzz/.build/release/FuzzReaders
[ -x .build/debug/mmio-replay ] || $swift build --product mmio-replay >/dev/null

work=${FUZZ_WORK:-Fuzz/.work}
rm -rf "$work" && mkdir -p "$work" Fuzz/findings

# Seeds: the fixtures of each format, cut to 4 KiB so that mutations stay fast.
seed() {  # seed HARNESS FILE...
    local dir="$work/$1/corpus"; mkdir -p "$dir"; shift
    for f in "$@"; do [ -f "$f" ] && head -c 4096 "$f" > "$dir/$(basename "$f")"; done
}
seed mtrace traces/*.mtrace traces/scenarios/*.mtrace Tests/CLITests/Fixtures/*.mtrace
seed mmiotrace traces/captures/*.mmiotrace
seed qemu-log traces/captures/*.log Tests/ImportersTests/Fixtures/qemu/*.log
seed ftrace Tests/ImportersTests/Fixtures/ftrace/*
for t in traces/nvme-doorbell.mtrace traces/scenarios/reclaim-after-writes.mtrace traces/gicv2-two-guests.mtrace; do
    mkdir -p "$work/pcap/corpus"
    .build/debug/mmio-replay convert "$t" -o "$work/pcap/corpus/$(basename "$t" .mtrace).pcap" >/dev/null
done
seed side-file traces/captures/*.yaml Tests/ImportersTests/Fixtures/qemu/*.yaml
mkdir -p "$work/device-model/corpus" "$work/platform/corpus" "$work/policy/corpus"
# Device models: those learned from the captures, and one with every key.
.build/debug/mmio-replay inspect traces/captures/arm64-virt-full.log --learn-models "$work/device-model/corpus" >/dev/null 2>&1
for f in "$work"/device-model/corpus/*.yaml; do head -c 4096 "$f" > "$f.cut" && mv "$f.cut" "$f"; done
cat > "$work/device-model/corpus/every-key.yaml" <<'YAML'
name: d
summary: "every key"
pci: {vendor-id: 0x1b36, device-id: 0x0010, class: 0x010802, revision: 2}
unsupported: ca
unmapped: zero
flr: {ready-after-ns: 100000000, discard-posted: true, non-posted: ur}
aer: {masked: [unsupported-request], fatal: [surprise-down]}
bars:
  0:
    size: 0x4000
    prefetchable: false
    memory:
      - {offset: 0x2000, size: 0x2000}
    registers:
      - {name: CC, offset: 0x14, sizes: [4], access: rw, reset: 0x0, side-effects: [{when-written-bit: 0, sets: {register: CSTS, bit: 0, after-ns: 1000}}]}
      - {name: CSTS, offset: 0x1c, access: ro}
      - {name: DB, offset: 0x1000, count: 4, stride: 8, access: doorbell}
YAML
for p in quiet-pcie ras-sbsa no-ras split-ecam platform-device; do .build/debug/mmio-replay profiles show "$p" > "$work/platform/corpus/$p.yaml"; done
seed platform traces/scenarios/*.yaml
printf 'name: p\nbase: kvm-device\nstage2:\n  bar: normal-nc\n' > "$work/policy/corpus/base.yaml"
printf 'name: f\nfwb: true\nstage2: {bar: fwb-101, config: fwb-000, platform: fwb-000, gicv2-vcpu-if: fwb-001}\n' > "$work/policy/corpus/fwb.yaml"
seed policy Tests/CLITests/Fixtures/*policy*.yaml
mkdir -p "$work/fault/corpus"
i=0; for f in 'CA at bar0+0x1c read #2' 'UR at bar0+0x1010 write every' 'link-down at 5us for 2us' 'poisoned at event 3' 'DPC at bar0+0x24 write first'; do
    i=$((i + 1)); printf '%s' "$f" > "$work/fault/corpus/$i"; done
seed fault-file Tests/CLITests/Fixtures/*.yaml
seed aer-inject Tests/CLITests/Fixtures/*.aer
seed campaign-spec traces/campaigns/*.yaml Tests/CampaignsTests/Fixtures/*.yaml Tests/CLITests/Fixtures/campaigns/*.yaml

dictionary() {
    case $1 in
        mtrace|mmiotrace|qemu-log|ftrace) cat Fuzz/dictionaries/"$1".dict Fuzz/dictionaries/numbers.dict ;;
        fault|aer-inject) cat Fuzz/dictionaries/fault.dict Fuzz/dictionaries/numbers.dict ;;
        pcap) cat Fuzz/dictionaries/numbers.dict ;;
        *) cat Fuzz/dictionaries/yaml.dict Fuzz/dictionaries/numbers.dict ;;
    esac
}

status=0
for h in "${harnesses[@]}"; do
    dir="$work/$h"; mkdir -p "$dir/corpus" "$dir/artifacts"
    dictionary "$h" > "$dir/dict"
    budget=(-max_total_time="$seconds"); [ -n "${FUZZ_RUNS:-}" ] && budget+=(-runs="$FUZZ_RUNS")
    FUZZ_TARGET=$h "$binary" "$dir/corpus" -dict="$dir/dict" "${budget[@]}" -timeout=10 -rss_limit_mb=4096 \
        -max_len=4096 -print_final_stats=1 -artifact_prefix="$dir/artifacts/" >"$dir/log" 2>&1 || true
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$dir/log" | grep -o '[0-9]*$' || echo 0)
    findings=$(find "$dir/artifacts" -type f | wc -l)
    printf '%-14s %12s executions  %s findings\n' "$h" "${runs:-0}" "$findings"
    if [ "$findings" -gt 0 ]; then
        status=1
        mkdir -p "Fuzz/findings/$h" && cp "$dir"/artifacts/* "Fuzz/findings/$h/"
        tail -40 "$dir/log" >&2
    fi
done
exit $status
