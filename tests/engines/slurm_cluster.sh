#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for the `--backend slurm` tests
# (runner-notes Part A §3.2): Debian's slurmctld + slurmd + munge, one node
# named after this host with its CPUs, one partition `debug`.
#
#   bash tests/engines/slurm_cluster.sh start   install if missing, configure,
#                                               start, wait until the node is idle
#   bash tests/engines/slurm_cluster.sh stop    stop the daemons this script started
#   bash tests/engines/slurm_cluster.sh status  sinfo
#
# `start` is idempotent: with the node already idle it does nothing. It never
# touches a slurm.conf it did not write (one without our marker line): on a
# machine with a real cluster it only checks that `sinfo` answers.
# Best effort in the test suite: the Rust tests skip, saying why, when
# `sbatch` is missing or the cluster does not answer.
set -euo pipefail
state=${HP_SLURM_STATE:-/var/tmp/hp-report-slurm}
conf=/etc/slurm/slurm.conf
marker="# written by hp-report tests/engines/slurm_cluster.sh"
sudo=""
[ "$(id -u)" = 0 ] || sudo="sudo"

log() { echo "slurm_cluster: $*" >&2; }

node_idle() {
    timeout 5 sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'
}

install() {
    if command -v sbatch >/dev/null && command -v slurmctld >/dev/null \
        && command -v slurmd >/dev/null && command -v munged >/dev/null; then
        return
    fi
    log "installing slurmctld slurmd slurm-client munge (Debian packages)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        slurmctld slurmd slurm-client munge >/dev/null
}

write_conf() {
    if [ -e "$conf" ] && ! grep -qF "$marker" "$conf"; then
        log "$conf exists and is not ours: using the cluster it describes"
        return
    fi
    local host cpus
    host=$(hostname -s)
    cpus=$(nproc)
    $sudo mkdir -p "$state/spool" "$state/ctld" /etc/slurm
    $sudo tee "$conf" >/dev/null <<CONF
$marker
ClusterName=hpreport
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/filetxt
JobCompLoc=$state/jobcomp.log
StateSaveLocation=$state/ctld
SlurmdSpoolDir=$state/spool
SlurmctldLogFile=$state/slurmctld.log
SlurmdLogFile=$state/slurmd.log
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
}

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_daemons() {
    if ! pgrep -x munged >/dev/null; then
        [ -f /etc/munge/munge.key ] || $sudo mungekey --create >/dev/null 2>&1 \
            || $sudo /usr/sbin/create-munge-key -f >/dev/null
        $sudo mkdir -p /run/munge /var/log/munge /var/lib/munge
        $sudo chown munge:munge /run/munge /var/log/munge /var/lib/munge
        $sudo su -s /bin/sh munge -c /usr/sbin/munged
    fi
    running "$state/slurmctld.pid" || $sudo slurmctld
    running "$state/slurmd.pid" || $sudo slurmd
}

start() {
    if command -v sinfo >/dev/null && node_idle; then
        log "already up: $(sinfo -h -o '%P %t %D' | head -n 1)"
        return
    fi
    install
    write_conf
    start_daemons
    for _ in $(seq 1 60); do
        if node_idle; then
            log "up: $(sinfo -h -o '%P %t %D' | head -n 1)"
            return
        fi
        sleep 0.5
    done
    log "the node did not become idle; slurmctld log tail:"
    tail -n 20 "$state/slurmctld.log" >&2 || true
    exit 1
}

stop() {
    for d in slurmd slurmctld; do
        if running "$state/$d.pid"; then
            $sudo kill "$(cat "$state/$d.pid")"
        fi
    done
    log "stopped slurmd and slurmctld (munged left running)"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    status) sinfo ;;
    *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
