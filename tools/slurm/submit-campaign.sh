#!/usr/bin/env bash
# Runs a campaign on a Slurm cluster: N shards as a job array, then a merge job that starts when
# every shard has succeeded.
#
#   tools/slurm/submit-campaign.sh SPEC N OUTDIR [extra sbatch arguments...]
#
#   tools/slurm/submit-campaign.sh campaigns/big.yaml 32 /shared/runs/big --partition=batch --time=2:00:00
#   tools/slurm/submit-campaign.sh campaigns/big.yaml 32 /shared/runs/big --cpus-per-task=8   # --jobs 8 per shard
#   CAMPAIGN_ARRAY=7,12 tools/slurm/submit-campaign.sh campaigns/big.yaml 32 /shared/runs/big # rerun two shards, merge again
#
# Submits tools/slurm/campaign.sbatch with --array=1-N (task I runs `campaign run SPEC --shard I/N
# --db OUTDIR/shard-I.db`), then tools/slurm/merge.sbatch with --dependency=afterok:ARRAY_JOB_ID
# (`campaign merge OUTDIR/shard-{1..N}.db -o OUTDIR/campaign.db`, then `campaign status`). Logs go
# to OUTDIR/logs/. The extra sbatch arguments are given to both jobs.
#
# Prints the two job ids on stdout, as shell assignments (`eval "$(submit-campaign.sh ...)"`):
#   ARRAY_JOB_ID=1234
#   MERGE_JOB_ID=1235
#
# Environment:
#   MMIO_REPLAY     the mmio-replay binary (default: mmio-replay on PATH, else this checkout's
#                   .build/release or .build/debug build); made absolute
#   CAMPAIGN_ARRAY  the array indices to submit (default 1-N): resubmit only the failed ones
#   SLURM_CONF, SBATCH_* and the rest of sbatch's environment work as usual.
# On a multi-node cluster the binary, SPEC and OUTDIR must be on a filesystem every node sees;
# their paths are made absolute here. The jobs run in the directory you submit from (sbatch's
# default; relative paths inside SPEC start from SPEC's directory anyway).
set -euo pipefail

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 64
}
fail() { echo "submit-campaign.sh: $*" >&2; exit "${2:-1}"; }

[ $# -ge 3 ] || usage
spec=$1 shards=$2 out=$3
shift 3
extra=("$@")
here=$(cd "$(dirname "$0")" && pwd)

[[ $shards =~ ^[1-9][0-9]*$ ]] || fail "N must be a positive number of shards, not '$shards'" 64
[ -r "$spec" ] || fail "no campaign spec at $spec" 66
spec=$(realpath -e "$spec")
out=$(realpath -m "$out")

if [ -z "${MMIO_REPLAY:-}" ]; then
    root=$(cd "$here/../.." && pwd)
    for candidate in "$(command -v mmio-replay || true)" "$root/.build/release/mmio-replay" "$root/.build/debug/mmio-replay"; do
        if [ -n "$candidate" ] && [ -x "$candidate" ]; then MMIO_REPLAY=$candidate; break; fi
    done
    [ -n "${MMIO_REPLAY:-}" ] || fail "no mmio-replay binary: set MMIO_REPLAY or run 'swift build -c release'" 66
fi
[ -x "$MMIO_REPLAY" ] || fail "MMIO_REPLAY=$MMIO_REPLAY is not an executable" 66
MMIO_REPLAY=$(realpath -e "$MMIO_REPLAY")
command -v sbatch >/dev/null || fail "sbatch not found: is this a Slurm submit host?" 69

mkdir -p "$out/logs"
export MMIO_REPLAY CAMPAIGN_SPEC=$spec CAMPAIGN_SHARDS=$shards CAMPAIGN_OUT=$out
array=${CAMPAIGN_ARRAY:-1-$shards}

# --parsable prints "JOBID" or "JOBID;CLUSTER".
array_id=$(sbatch --parsable --export=ALL --array="$array" \
    --output="$out/logs/shard-%a.%A.out" "${extra[@]}" "$here/campaign.sbatch") || fail "sbatch of the array failed"
array_id=${array_id%%;*}
echo "ARRAY_JOB_ID=$array_id"

merge_id=$(sbatch --parsable --export=ALL --dependency="afterok:$array_id" --kill-on-invalid-dep=yes \
    --output="$out/logs/merge.%j.out" "${extra[@]}" "$here/merge.sbatch") \
    || fail "sbatch of the merge job failed (array job $array_id is submitted; cancel it with scancel $array_id)"
merge_id=${merge_id%%;*}
echo "MERGE_JOB_ID=$merge_id"

cat >&2 <<EOF
submitted: array job $array_id (array $array of $shards shards) -> $out/shard-I.db
           merge job $merge_id (after every task succeeds) -> $out/campaign.db
logs:      $out/logs/
watch:     squeue -j $array_id,$merge_id
EOF
