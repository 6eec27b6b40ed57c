#!/usr/bin/env bash
# Submits a dcsim sweep to Slurm: a job array of N shards, then a merge job
# that runs once every shard has succeeded (and is cancelled if one fails).
#
#   scripts/slurm-sweep.sh N OUT SWEEP_ARGUMENTS...
#   scripts/slurm-sweep.sh 8 /scratch/$USER/grid scenarios/default.toml \
#       --vary sites.us-east.grid_mw=300,350,400 --replications 10
#
# OUT must be an absolute path on a file system every node sees: shard i
# writes OUT/shard-i/, the merge writes OUT/merged/ (the same files as
# `dcsim sweep SWEEP_ARGUMENTS... --out OUT/merged` on one machine), logs go
# to OUT/logs/. Jobs run in the folder this is called from, so relative
# scenario paths work. Environment: DCSIM, the dcsim binary (default: dcsim
# on PATH, else target/release/dcsim here); SBATCH_OPTIONS, extra sbatch
# options for both jobs (e.g. "--partition=batch --time=1:00:00"); a shard
# uses --cpus-per-task threads (sbatch's -c; 1 by default).
#
# Prints "array <job id> merge <job id>".
set -euo pipefail

if [ $# -lt 3 ]; then
    echo "usage: $0 N OUT SWEEP_ARGUMENTS..." >&2
    exit 2
fi
shards=$1
out=$2
shift 2
case $shards in
    '' | *[!0-9]* | 0) echo "N must be a positive whole number, not '$shards'" >&2; exit 2 ;;
esac
case $out in
    /*) ;;
    *) echo "OUT must be an absolute path (jobs may run elsewhere), not '$out'" >&2; exit 2 ;;
esac
if ! command -v sbatch >/dev/null 2>&1; then
    echo "sbatch not found: this submits to Slurm, which is not installed here." >&2
    echo "For a one-node Slurm on this machine: sudo bash scripts/slurm-local.sh install up" >&2
    echo "(see docs/slurm.md); or run the sweep on this machine: dcsim sweep $* --out $out/merged" >&2
    exit 2
fi
dcsim=${DCSIM:-$(command -v dcsim || echo "$PWD/target/release/dcsim")}
mkdir -p "$out/logs"

# The sweep's arguments, quoted for the job's shell.
args=$(printf ' %q' "$@")
q() { printf '%q' "$1"; }
read -r -a extra <<<"${SBATCH_OPTIONS:-}"

array=$(sbatch --parsable "${extra[@]}" \
    --array="0-$((shards - 1))" \
    --job-name=dcsim-sweep \
    --output="$out/logs/shard-%a.out" \
    --wrap="$(q "$dcsim") sweep$args --shard \$SLURM_ARRAY_TASK_ID/$shards --out $(q "$out")/shard-\$SLURM_ARRAY_TASK_ID --jobs \${SLURM_CPUS_PER_TASK:-1} --quiet")
array=${array%%;*}

inputs=""
for ((i = 0; i < shards; i++)); do
    inputs+=" $(q "$out/shard-$i")"
done
merge=$(sbatch --parsable "${extra[@]}" \
    --dependency="afterok:$array" \
    --kill-on-invalid-dep=yes \
    --job-name=dcsim-merge \
    --output="$out/logs/merge.out" \
    --wrap="$(q "$dcsim") merge$inputs --out $(q "$out")/merged")
merge=${merge%%;*}

echo "array $array merge $merge"
