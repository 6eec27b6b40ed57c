#!/bin/sh
# How the cost of the training workload grows with jobs, chips and failure
# rates: `dcsim bench training` on the built-in scale-400k-training scenario
# and on variants made with --set (each class of input halved and doubled,
# the others as they are), in rounds so that every variant meets the same
# machine noise. Each bench invocation times the scenario with and without
# its jobs (median of 3 interleaved runs each); this script prints every
# invocation, then per variant the medians over the rounds.
#
#   cargo build --release && sh benches/training-growth.sh [ROUNDS]
#
# DCSIM overrides the binary (default target/release/dcsim).
set -eu

bin=${DCSIM:-target/release/dcsim}
rounds=${1:-3}
out=$(mktemp -d "${TMPDIR:-/tmp}/dcsim-growth-XXXXXX")
raw="$out/raw.txt"
trap 'rm -rf "$out"' EXIT

# Default rates of every failure class [per million component-hours]
# (`dcsim catalog --only failures`) and of software interruptions [per
# million node-hours of a running job], halved and doubled.
half_failures="gpu=3.485032 hbm=1.695421 gpu_other=1.130281 host=8.665485 nic=1.318661 switch_cable=0.824163 rack_power=5.707763 site_outage=22.83105 dci_link=57.077626 software=11.867947"
double_failures="gpu=13.940128 hbm=6.781684 gpu_other=4.521123 host=34.661941 nic=5.274643 switch_cable=3.296652 rack_power=22.83105 site_outage=91.324201 dci_link=228.310502 software=47.471788"

# The --set arguments of a variant.
sets() {
    case $1 in
    base) ;;
    jobs-x0.5) echo "arrivals[0].rate_per_day=3 arrivals[1].rate_per_day=2 arrivals[2].rate_per_day=0.025" ;;
    jobs-x2) echo "arrivals[0].rate_per_day=12 arrivals[1].rate_per_day=8 arrivals[2].rate_per_day=0.1" ;;
    chips-x0.5)
        echo "sites[0].buildout[0].count=500 sites[0].buildout[1].count=500 sites[1].buildout[0].count=500 sites[1].buildout[1].count=500 sites[2].buildout[0].count=1000 sites[3].buildout[0].count=500"
        echo "sites[0].buildout[0].spare_nodes=90 sites[0].buildout[1].spare_nodes=90 sites[1].buildout[0].spare_nodes=90 sites[1].buildout[1].spare_nodes=90 sites[2].buildout[0].spare_nodes=40 sites[3].buildout[0].spare_nodes=20"
        ;;
    chips-x2)
        echo "sites[0].buildout[0].count=2000 sites[0].buildout[1].count=2000 sites[1].buildout[0].count=2000 sites[1].buildout[1].count=2000 sites[2].buildout[0].count=4000 sites[3].buildout[0].count=2000"
        echo "sites[0].buildout[0].spare_nodes=360 sites[0].buildout[1].spare_nodes=360 sites[1].buildout[0].spare_nodes=360 sites[1].buildout[1].spare_nodes=360 sites[2].buildout[0].spare_nodes=160 sites[3].buildout[0].spare_nodes=80"
        echo "sites[0].grid_mw=600 sites[1].grid_mw=700 sites[2].grid_mw=200 sites[3].grid_mw=100"
        ;;
    failures-x0.5) for f in $half_failures; do echo "failures.${f%%=*}.rate_per_million_hours=${f#*=}"; done ;;
    failures-x2) for f in $double_failures; do echo "failures.${f%%=*}.rate_per_million_hours=${f#*=}"; done ;;
    esac
}

variants="base jobs-x0.5 jobs-x2 chips-x0.5 chips-x2 failures-x0.5 failures-x2"
round=1
while [ "$round" -le "$rounds" ]; do
    for v in $variants; do
        args=""
        for s in $(sets "$v"); do args="$args --set $s"; done
        # shellcheck disable=SC2086 # one word per --set argument
        line=$("$bin" bench training --out "$out" $args 2>/dev/null | tr '\n' ' ')
        echo "$v $line" | tee -a "$raw"
    done
    round=$((round + 1))
done

# Per variant, the medians over the rounds: jobs, events and simulation
# times without and with jobs, their difference and their ratio.
echo
echo "variant        jobs  events(phys)  events(jobs)  phys_s  jobs_s  added_s  ratio"
for v in $variants; do
    grep "^$v " "$raw" | sed -E 's/.*; ([0-9]+) jobs \(.*without jobs ([0-9.]+) s \(([0-9]+) events\), with jobs ([0-9.]+) s \(([0-9]+) events\).*/\1 \2 \3 \4 \5/' |
        sort -k2,2n | awk -v v="$v" '{ j[NR]=$1; p[NR]=$2; pe[NR]=$3; w[NR]=$4; we[NR]=$5; d[NR]=$4-$2; r[NR]=$4/$2 }
            function med(a, n,   i, k, t, b) { for (i = 1; i <= n; i++) b[i] = a[i]
                for (i = 1; i <= n; i++) for (k = i + 1; k <= n; k++) if (b[k] < b[i]) { t = b[i]; b[i] = b[k]; b[k] = t }
                return b[int((n + 1) / 2)] }
            END { printf "%-13s %6d %13d %13d %7.3f %7.3f %8.3f %6.2f\n", v, j[1], pe[1], we[1], med(p, NR), med(w, NR), med(d, NR), med(r, NR) }'
done
