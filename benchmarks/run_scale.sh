#!/usr/bin/env bash
# The scale runs of issue 14, in priority order; each run is bounded and stops by itself.
#   bash benchmarks/run_scale.sh [quick] [--not-before HH:MM]   (quick: only the acceptance runs;
#   the open loop and the soak wait until --not-before, UTC, on a machine shared until then)
# Results: benchmarks/results/load_*.json, conversation_growth.json (tables printed).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
MODE=${1:-all}
NOT_BEFORE=${3:-00:00}
run() { echo; echo "=== $* ($(date -u +%H:%M:%S))"; timeout 1500 "$PY" "$@" 2>&1 | grep -v "is ignored\|Warning\|warn(\|spawn rate" | tail -12; }
wait_until() { while [[ "$(date -u +%H:%M)" < "$1" ]]; do sleep 20; done; }
run benchmarks/load.py closed --workers 1 --rounds 3
run benchmarks/load.py closed --workers 1 --rounds 3 --history 40 --prefill 10000
run benchmarks/load.py fault --fault kill_worker --seconds 90 --at 30
run benchmarks/conversation_growth.py --turns 200
wait_until "$NOT_BEFORE"
run benchmarks/load.py open --users 150 --think 10 --minutes 5
for f in stop_actions stop_postgres restart_redis publish_kb; do run benchmarks/load.py fault --fault $f --seconds 90 --at 30; done
[ "$MODE" = quick ] && exit 0
for w in 1 2 3; do run benchmarks/load.py closed --postgres --workers $w --rounds 3; done
run benchmarks/load.py soak --minutes 30
