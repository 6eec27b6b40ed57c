#!/usr/bin/env bash
# A one-node Slurm cluster on this machine (slurmctld, slurmd and munged on
# 127.0.0.1), for dcsim's Slurm test and for trying sharded sweeps locally.
# Debian or Ubuntu packages, no systemd needed; run as root.
#
#   bash scripts/slurm-local.sh install up     # packages, then start (idempotent)
#   bash scripts/slurm-local.sh status         # sinfo and squeue
#   bash scripts/slurm-local.sh down           # cancel jobs, stop what `up` started
#
# `install` uses apt-get (packages slurmctld, slurmd, slurm-client, munge,
# without recommends). `up` writes /etc/slurm/slurm.conf for this host (CPUs
# and memory as `slurmd -C` reports them), creates munge's key if missing,
# starts munged, slurmctld and slurmd, and waits until the node is idle. The
# PIDs it started are kept in $SLURM_LOCAL_STATE (default
# /tmp/dcsim-slurm-local); `down` stops those processes only.
#
# Choices worth knowing (Slurm 22.05 as in Debian 12):
# - DependencyParameters=kill_invalid_depend: a job depending on a failed
#   job is cancelled instead of pending forever (the option is ignored in
#   SchedulerParameters on this version);
# - proctrack/linuxproc, task/none, no accounting: no cgroups, no database
#   (so no sacct: read job states with squeue or scontrol);
# - `down` cancels every job and waits for them to end before stopping
#   slurmd (stopping it first orphans the jobs' slurmstepd), and removes
#   slurmctld's stale pidfile (it breaks the package's removal script).
set -euo pipefail

STATE=${SLURM_LOCAL_STATE:-/tmp/dcsim-slurm-local}
CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf

say() { echo "slurm-local: $*" >&2; }
die() { say "$*"; exit 1; }

as_root() {
    [ "$(id -u)" = 0 ] || die "$1 needs root (it installs packages, writes $CONF and starts daemons)"
}

# Whether the process recorded in $STATE/$1.pid is alive.
alive() {
    local f=$STATE/$1.pid
    [ -s "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

cmd_install() {
    as_root install
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null \
        && command -v sbatch >/dev/null && command -v munged >/dev/null; then
        say "packages already installed"
        return 0
    fi
    command -v apt-get >/dev/null || die "no apt-get: install slurmctld, slurmd, slurm-client and munge by hand"
    # Keep the packages' scripts from starting daemons before a config exists.
    local blocker=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
        blocker=yes
    fi
    local status=0 log=$STATE/apt.log
    mkdir -p "$STATE"
    say "apt-get install slurmctld slurmd slurm-client munge (log: $log) ..."
    {
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
                slurmctld slurmd slurm-client munge
    } >"$log" 2>&1 || status=$?
    if [ -n "$blocker" ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ "$status" != 0 ]; then
        tail -n 20 "$log" >&2
        die "apt-get failed (exit $status)"
    fi
    say "installed slurmctld, slurmd, slurm-client, munge"
}

write_config() {
    local host node
    host=$(hostname -s)
    # e.g. "NodeName=vm CPUs=2 Boards=1 SocketsPerBoard=1 CoresPerSocket=2
    # ThreadsPerCore=1 RealMemory=24105"
    node=$(slurmd -C 2>/dev/null | grep -m1 '^NodeName=') || die "slurmd -C reported no node"
    node=$(echo "$node" | sed -E 's/^NodeName=[^ ]+ ?//')
    install -d -m 0755 "$CONF_DIR"
    install -d -o slurm -g slurm -m 0755 /var/spool/slurmctld /var/log/slurm
    install -d -m 0755 /var/spool/slurmd
    cat >"$CONF" <<EOF
# Written by dcsim's scripts/slurm-local.sh: one node, this host, for tests.
ClusterName=dcsimlocal
SlurmctldHost=$host(127.0.0.1)
SlurmUser=slurm
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=100000
DependencyParameters=kill_invalid_depend
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 $node State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if alive munged; then
        return 0
    fi
    install -d -o munge -g munge -m 0700 /etc/munge
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge
    setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged
    wait_for_pidfile /run/munge/munged.pid munged
}

# Waits for the daemon's pidfile and records its PID.
wait_for_pidfile() {
    local file=$1 name=$2
    for _ in $(seq 1 50); do
        if [ -s "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null; then
            cp "$file" "$STATE/$name.pid"
            return 0
        fi
        sleep 0.1
    done
    die "$name did not start (see /var/log/slurm or /var/log/munge)"
}

cmd_up() {
    as_root up
    command -v slurmctld >/dev/null || die "Slurm is not installed: run install first"
    mkdir -p "$STATE"
    if alive munged && alive slurmctld && alive slurmd; then
        say "already running"
        return 0
    fi
    write_config
    start_munge
    if ! alive slurmctld; then
        rm -f /run/slurmctld.pid
        /usr/sbin/slurmctld -c
        wait_for_pidfile /run/slurmctld.pid slurmctld
    fi
    if ! alive slurmd; then
        rm -f /run/slurmd.pid
        /usr/sbin/slurmd
        wait_for_pidfile /run/slurmd.pid slurmd
    fi
    for _ in $(seq 1 100); do
        if sinfo -h -o '%T' 2>/dev/null | grep -q idle; then
            say "up: $(sinfo -h -o '%P %a %D %T %N' | head -1)"
            return 0
        fi
        sleep 0.2
    done
    die "the node did not become idle in 20 s: $(sinfo -h 2>&1 | head -1)"
}

# Stops the recorded process $1 (TERM, then KILL after 10 s).
stop() {
    local name=$1 pid
    alive "$name" || { rm -f "$STATE/$name.pid"; return 0; }
    pid=$(cat "$STATE/$name.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$STATE/$name.pid"; return 0; }
        sleep 0.1
    done
    say "$name did not stop on TERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$STATE/$name.pid"
}

cmd_down() {
    if alive slurmctld; then
        # scancel takes one state at a time.
        for s in PENDING SUSPENDED RUNNING; do
            scancel --state="$s" 2>/dev/null || true
        done
        for _ in $(seq 1 150); do
            if [ -z "$(squeue -h -t R,CG,S 2>/dev/null)" ]; then break; fi
            sleep 0.2
        done
    fi
    stop slurmd
    stop slurmctld
    stop munged
    rm -f /run/slurmctld.pid /run/slurmd.pid
    say "down"
}

cmd_status() {
    sinfo || true
    squeue || true
}

[ $# -gt 0 ] || set -- install up
for step in "$@"; do
    case $step in
        install) cmd_install ;;
        up) cmd_up ;;
        down) cmd_down ;;
        status) cmd_status ;;
        *) die "unknown step '$step' (install, up, down, status)" ;;
    esac
done
