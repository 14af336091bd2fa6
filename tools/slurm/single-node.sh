#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on this machine, for tests and for trying the campaign
# scripts without a real cluster.
#
#   tools/slurm/single-node.sh start    # prints SLURM_CONF=/path/slurm.conf on stdout
#   export SLURM_CONF=...               # then sbatch, squeue, scontrol, sinfo, scancel work
#   tools/slurm/single-node.sh status
#   tools/slurm/single-node.sh stop     # cancels the jobs, stops the daemons, removes the directory
#
# Everything lives in one directory, $MMIO_SLURM_DIR (default ${TMPDIR:-/tmp}/mmio-replay-slurm):
# the configuration, a private munge key and socket, Slurm's state and spool, the daemons' logs
# (log/) and an `env` file to source. Nothing under /etc is touched, and the system's munged (if
# any) is left alone: this cluster runs its own munged on its own socket. No systemd is needed:
# munged, slurmctld and slurmd are started directly, as root.
#
# `start` installs slurm-wlm and munge with apt-get when they are missing (root only). It exits 77
# when the cluster cannot be had on this machine at all (not root, packages missing and not
# installable), 1 when something that should work did not (the daemons' logs are printed), and 0
# with the node idle. Starting again while the cluster is up just prints SLURM_CONF again;
# starting over a dead or half-started cluster cleans it up first.
#
# Environment: MMIO_SLURM_DIR (the directory), MMIO_SLURM_PORT (slurmctld's port, default 16817;
# slurmd uses the next one, so as not to collide with a real Slurm on the default 6817/6818).
set -euo pipefail

DIR=${MMIO_SLURM_DIR:-${TMPDIR:-/tmp}/mmio-replay-slurm}
CTLD_PORT=${MMIO_SLURM_PORT:-16817}
SLURMD_PORT=$((CTLD_PORT + 1))
CONF=$DIR/slurm.conf
SKIP=77

say() { echo "single-node.sh: $*" >&2; }

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 64
}

# --- packages ---------------------------------------------------------------------------------

have_slurm() {
    local c
    for c in munged munge unmunge slurmctld slurmd sbatch squeue scontrol sinfo scancel; do
        command -v "$c" >/dev/null || return 1
    done
}

ensure_packages() {
    # The daemons live in /usr/sbin, which a non-root PATH may lack.
    export PATH=$PATH:/usr/sbin:/sbin
    have_slurm && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
        say "skipped: Slurm is not installed (needs slurmctld, slurmd, sbatch, munged) and cannot be"
        say "installed here (needs root and apt-get); install with: sudo apt-get install -y slurm-wlm munge"
        exit $SKIP
    fi
    say "installing slurm-wlm munge (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge; } >"${TMPDIR:-/tmp}/mmio-replay-slurm-apt.log" 2>&1; then
        tail -n 20 "${TMPDIR:-/tmp}/mmio-replay-slurm-apt.log" >&2
        say "skipped: apt-get could not install slurm-wlm munge (log above)"
        exit $SKIP
    fi
    rm -f "${TMPDIR:-/tmp}/mmio-replay-slurm-apt.log"
    have_slurm || { say "skipped: slurm-wlm installed but its commands are still missing"; exit $SKIP; }
}

# --- processes --------------------------------------------------------------------------------

alive() { # PID
    kill -0 "$1" 2>/dev/null || return 1
    # A process that exited under an init that does not reap (containers) is a zombie: not alive.
    [[ $(awk '{print $3}' 2>/dev/null "/proc/$1/stat") != [ZX] ]]
}

pid_of() { # NAME: the pid recorded for a daemon, if it is still running
    local f=$DIR/run/$1.pid pid
    [ -s "$f" ] || return 1
    pid=$(cat "$f")
    alive "$pid" || return 1
    echo "$pid"
}

# Processes of this cluster that may outlive an orderly stop: the daemons carry
# MMIO_SLURM_DAEMON_OF=$DIR in their environment; slurmstepd gets SLURM_CONF=$CONF from slurmd,
# and the jobs' processes get it from sbatch, with a SLURM_JOB_ID. This script and its ancestors
# (a shell that sourced $DIR/env) are never included.
cluster_pids() {
    local p pid env ancestors=" " a=$$
    while [ -n "$a" ] && [ "$a" -gt 1 ]; do
        ancestors+="$a "
        a=$(awk '/^PPid:/ {print $2}' "/proc/$a/status" 2>/dev/null || true)
    done
    for p in /proc/[0-9]*; do
        pid=${p#/proc/}
        [[ $ancestors == *" $pid "* || $pid == "$BASHPID" ]] && continue
        env=$(tr '\0' '\n' 2>/dev/null <"$p/environ") || continue
        if grep -qxF "MMIO_SLURM_DAEMON_OF=$DIR" <<<"$env" \
            || { grep -qxF "SLURM_CONF=$CONF" <<<"$env" \
                 && { grep -q '^SLURM_JOB_ID=' <<<"$env" || [ "$(cat 2>/dev/null "$p/comm")" = slurmstepd ]; }; }; then
            echo "$pid"
        fi
    done
}

stop_pid() { # PID: TERM, then KILL after 10 s
    local pid=$1 i
    kill "$pid" 2>/dev/null || return 0
    for i in $(seq 50); do
        alive "$pid" || return 0
        sleep 0.2
    done
    kill -9 "$pid" 2>/dev/null || true
}

print_logs() {
    # Each daemon's log file, or its standard error when it died before opening the log file.
    local name f
    for name in munged slurmctld slurmd; do
        for f in "$DIR/log/$name.log" "$DIR/log/$name.stderr"; do
            [ -s "$f" ] || continue
            echo "----- $f (last 40 lines)" >&2
            tail -n 40 "$f" >&2
            break
        done
    done
}

# --- stop -------------------------------------------------------------------------------------

stop() {
    [ -d "$DIR" ] || return 0
    export SLURM_CONF=$CONF
    if pid_of slurmctld >/dev/null; then
        # Cancel every job so that no slurmstepd outlives its slurmd.
        timeout 10 scancel --full --quiet --partition=debug 2>/dev/null || true
        for _ in $(seq 25); do
            [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    local name pid
    for name in slurmd slurmctld; do
        if pid=$(pid_of "$name"); then stop_pid "$pid"; fi
    done
    # Anything left over (a stuck slurmstepd, a job's processes), then munged.
    for pid in $(cluster_pids); do
        [ "$pid" = "$(pid_of munged || true)" ] && continue
        kill -9 "$pid" 2>/dev/null || true
    done
    if pid=$(pid_of munged); then stop_pid "$pid"; fi
    rm -rf "$DIR"
}

# --- start ------------------------------------------------------------------------------------

write_config() {
    local host node
    host=$(hostname -s)
    # slurmd -C prints this machine's node line (CPUs, sockets, cores, threads, RealMemory); a node
    # configured with more than it has would be drained as invalid.
    node=$(slurmd -C 2>/dev/null | grep '^NodeName=' | head -n 1)
    [ -n "$node" ] || node="NodeName=$host CPUs=$(nproc)"
    node=$(sed "s/^NodeName=[^ ]*/NodeName=$host/" <<<"$node")
    cat >"$CONF" <<EOF
# Written by tools/slurm/single-node.sh: a one-node cluster for tests. Throwaway.
ClusterName=mmioreplay
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/munge.socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
# No cgroups, no accounting, no job completion records: nothing outside this directory.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
MailProg=/bin/true
SelectType=select/cons_tres
# Cores only: memory is not a consumable, so jobs that ask for none do not take the whole node.
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
ReturnToService=2
# Finished jobs stay visible to scontrol show job for 10 minutes (there is no accounting).
MinJobAge=600
InactiveLimit=0
KillWait=5
SlurmctldTimeout=30
SlurmdTimeout=60
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

# For a daemon about to be started from a subshell: close every descriptor but 0, 1 and 2. A
# daemon holding one inherited from our caller keeps it open for good, and callers that learn of
# our exit from a descriptor closing (Foundation's Process does, with a socket) would wait forever.
close_inherited_fds() {
    local fd
    for fd in $(ls "/proc/$BASHPID/fd"); do
        [ "$fd" -gt 2 ] && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

# Runs a daemon with no signal blocked or ignored. The signal mask and ignored signals are
# inherited across exec, and some callers start us with nearly every signal blocked (Foundation's
# Process, hence `swift test`): slurmctld and slurmd would then ignore SIGTERM. perl (perl-base,
# always there on Debian) can reset both.
unblocked() {
    if command -v perl >/dev/null; then
        exec perl -MPOSIX -e '$SIG{$_} = "DEFAULT" for qw(HUP INT QUIT PIPE ALRM TERM USR1 USR2 CHLD);
                              sigprocmask(SIG_SETMASK, POSIX::SigSet->new) or die "sigprocmask: $!\n";
                              exec { $ARGV[0] } @ARGV or die "exec $ARGV[0]: $!\n"' "$@"
    fi
    exec "$@"
}

start_munged() {
    local key=$DIR/munge/munge.key
    if [ ! -s "$key" ]; then
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile="$key"
        else
            dd if=/dev/urandom of="$key" bs=1024 count=1 status=none
        fi
        chmod 0400 "$key"
    fi
    # --force: run as root and tolerate the permissions of ${TMPDIR:-/tmp} above our directory.
    (
        close_inherited_fds
        MMIO_SLURM_DAEMON_OF=$DIR unblocked setsid munged --force --num-threads=2 \
            --socket="$DIR/munge/munge.socket" --key-file="$key" --pid-file="$DIR/run/munged.pid" \
            --log-file="$DIR/log/munged.log" --seed-file="$DIR/munge/munged.seed" \
            </dev/null >>"$DIR/log/munged.stderr" 2>&1
    )
    local i
    for i in $(seq 50); do
        if munge -n -S "$DIR/munge/munge.socket" 2>/dev/null | unmunge -S "$DIR/munge/munge.socket" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    return 1
}

start_daemon() { # NAME: slurmctld or slurmd, in the foreground of a background session
    local name=$1
    # -D: no daemonising (we keep its pid); stdin/stdout/stderr away from the caller's pipes, or
    # a caller reading our output to the end would wait for the daemons to exit.
    (
        close_inherited_fds
        MMIO_SLURM_DAEMON_OF=$DIR SLURM_CONF=$CONF unblocked setsid "$name" -D -f "$CONF" \
            </dev/null >>"$DIR/log/$name.stderr" 2>&1
    ) &
    echo $! >"$DIR/run/$name.pid"
}

# Start failed: show why, stop what was started, keep the directory (logs) until `stop`.
start_failed() {
    say "$1"
    print_logs
    local name pid
    for name in slurmd slurmctld munged; do
        if pid=$(pid_of "$name"); then stop_pid "$pid"; fi
    done
    say "logs kept in $DIR/log; '$0 stop' removes them"
    exit 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

node_state() { timeout 10 sinfo -h -N -o '%t' 2>/dev/null | head -n 1; }

start() {
    ensure_packages
    if [ "$(id -u)" -ne 0 ]; then
        say "skipped: the single-node cluster runs slurmd as root; run as root"
        exit $SKIP
    fi
    export SLURM_CONF=$CONF
    if [ -f "$CONF" ] && pid_of munged >/dev/null && pid_of slurmctld >/dev/null && pid_of slurmd >/dev/null \
        && [[ $(node_state) == idle* || $(node_state) == mix* || $(node_state) == alloc* ]]; then
        say "already running"
        echo "SLURM_CONF=$CONF"
        return 0
    fi
    stop # whatever is left of an earlier cluster in $DIR
    mkdir -p "$DIR"/{munge,run,log,state,spool}
    chmod 0711 "$DIR"
    chmod 0711 "$DIR/munge" # munged wants its socket directory searchable by all
    write_config
    local t0=$SECONDS
    local port
    for port in "$CTLD_PORT" "$SLURMD_PORT"; do
        port_in_use "$port" && start_failed "port $port is in use (another cluster?): set MMIO_SLURM_PORT to another port"
    done
    start_munged || start_failed "munged did not come up"
    start_daemon slurmctld
    for _ in $(seq 100); do
        timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' && break
        pid_of slurmctld >/dev/null || break
        sleep 0.2
    done
    timeout 5 scontrol ping 2>/dev/null | grep -q 'is UP' || start_failed "slurmctld did not come up"
    start_daemon slurmd
    local state=""
    for _ in $(seq 150); do
        state=$(node_state)
        [[ $state == idle* ]] && break
        if ! pid_of slurmd >/dev/null || ! pid_of slurmctld >/dev/null; then break; fi
        sleep 0.2
    done
    if [[ $state != idle* ]]; then
        timeout 5 sinfo -R >&2 || true
        start_failed "the node is not idle (state: '${state:-none}')"
    fi
    echo "export SLURM_CONF=$CONF" >"$DIR/env"
    say "node $(hostname -s) idle after $((SECONDS - t0)) s; logs in $DIR/log; source $DIR/env"
    echo "SLURM_CONF=$CONF"
}

status() {
    export SLURM_CONF=$CONF
    [ -f "$CONF" ] || { say "not running (no $CONF)"; exit 1; }
    local name ok=0
    for name in munged slurmctld slurmd; do
        if pid=$(pid_of "$name"); then say "$name: running (pid $pid)"; else say "$name: not running"; ok=1; fi
    done
    timeout 10 sinfo >&2 || ok=1
    timeout 10 squeue >&2 || ok=1
    [ $ok -eq 0 ] && echo "SLURM_CONF=$CONF"
    return $ok
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    logs) print_logs ;;
    *) usage ;;
esac
