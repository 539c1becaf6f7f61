#!/usr/bin/env bash
# CPU time (user + system, hours) used so far by a running `mobilevsr-train fit` process: ./campaign_cpu_time.sh PID
# The campaign README's budget column adds this up per stretch (issue 13 allows about 12 CPU-hours in all).
set -euo pipefail
pid=${1:?usage: campaign_cpu_time.sh PID}
ticks=$(getconf CLK_TCK)
read -r utime stime < <(awk '{print $14, $15}' "/proc/$pid/stat")
awk -v u="$utime" -v s="$stime" -v t="$ticks" 'BEGIN { printf "%.3f\n", (u + s) / t / 3600 }'
