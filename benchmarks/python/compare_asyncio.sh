#!/usr/bin/env bash
# pyconc asyncio side by side with CPython's asyncio, in one run on one machine.
#
#   mvn -B -q -pl benchmarks,examples -am package -DskipTests -Djcstress.skip=true
#   bash benchmarks/python/compare_asyncio.sh [rounds]
#   bash benchmarks/python/compare_asyncio.sh streams      # only the echo benchmarks (2.)
#   RESULTS=benchmarks/results bash benchmarks/python/compare_asyncio.sh 3   # also writes JSON there
#
# 1. The micro benchmarks: benchmarks/python/asyncio_bench.py (best of 5 asyncio.run() each) and
#    AsyncioBenchmark (JMH, one whole Asyncio.run per invocation, loop creation included).
# 2. Echo over loopback: StreamsBenchmark (epoll and NIO) against the streams part of asyncio_bench.py,
#    and socket_floor.py: the kernel's own cost of a round trip, with no event loop.
# 3. Hackysack with 100,000 tasks and 100,000 kicks, whole processes, CPython and Java alternating
#    `rounds` times (default 3); the medians of time and peak RSS (VmHWM / ru_maxrss) are compared.
# Prints pyconc/CPython throughput ratios (higher is better for pyconc) and time/RSS ratios. With
# RESULTS set to a directory, each part also writes its machine-readable figures there, for
# benchmarks/charts.py: jmh-asyncio.json, asyncio_bench.json, jmh-streams.json, asyncio_streams.json,
# socket_floor.json and hackysack.json (see benchmarks/results/README.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
STREAMS_ONLY=false
if [ "$ROUNDS" = streams ]; then STREAMS_ONLY=true; ROUNDS=0; fi
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
RESULTS=${RESULTS:-}
if [ -n "$RESULTS" ]; then mkdir -p "$RESULTS"; fi
# json NAME: the option that makes a CPython script write $RESULTS/NAME (nothing without RESULTS)
json() { if [ -n "$RESULTS" ]; then echo "--json $RESULTS/$1"; fi; }
# jmhjson NAME: the options that make JMH write $RESULTS/NAME
jmhjson() { if [ -n "$RESULTS" ]; then echo "-rf json -rff $RESULTS/$1"; fi; }
HACKY_JVM=${HACKY_JVM:---enable-native-access=ALL-UNNAMED -XX:+UseParallelGC -Xms800m -Xmx800m -Xmn600m -XX:+UseCompactObjectHeaders -Djdk.trackAllThreads=false}

echo "== machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
py() { grep "^$1" "$TMP/py.txt" | awk '{for (i = 1; i <= NF; i++) if ($i == "k/s") print $(i-1)}'; }
ratio() {
  local name=$1 p=$2 j=$3
  awk -v n="$name" -v p="$p" -v j="$j" 'BEGIN { printf "%-28s CPython %9.1f k/s   pyconc %10.1f k/s   ratio %6.1fx\n", n, p, j, j / p }'
}
if ! $STREAMS_ONLY; then
echo "== CPython micro benchmarks"
# shellcheck disable=SC2046
python3 benchmarks/python/asyncio_bench.py --no-streams $(json asyncio_bench.json) | tee "$TMP/py.txt"
echo "== pyconc micro benchmarks (JMH)"
# shellcheck disable=SC2046
"$JAVA" -Djmh.ignoreLock=true -jar benchmarks/target/benchmarks.jar 'AsyncioBenchmark' -f 1 -wi 3 -i 5 -w 1 -r 1 $(jmhjson jmh-asyncio.json) \
  2>/dev/null | grep -E '^AsyncioBenchmark' | tee "$TMP/java.txt"

jv() { grep "AsyncioBenchmark.$1 " "$TMP/java.txt" | awk '{print 1e6 / $4}'; }
echo "== ratios (pyconc / CPython throughput)"
ratio "create_task+await"        "$(py create_task)"   "$(jv createTaskAwait)"
ratio "gather of sleep(0)"       "$(py gather)"        "$(jv gatherSleep0)"
ratio "Queue handoff maxsize=1"  "$(py 'Queue handoff maxsize=1')" "$(jv queueHandoffMaxsize1)"
ratio "Queue handoff unbounded"  "$(py 'Queue handoff unbounded')" "$(jv queueHandoffUnbounded)"
ratio "call_soon"                "$(py call_soon)"     "$(jv callSoon)"
ratio "Lock uncontended"         "$(py 'Lock')"        "$(jv lockUncontended)"

fi

echo "== CPython streams: echo of 64-byte lines over loopback (best of 5)"
# shellcheck disable=SC2046
python3 benchmarks/python/asyncio_bench.py --streams-only $(json asyncio_streams.json) | tee -a "$TMP/py.txt"
# shellcheck disable=SC2046
python3 benchmarks/python/socket_floor.py $(json socket_floor.json) | tee -a "$TMP/py.txt"
echo "== streams: echo of 64-byte lines over loopback (JMH StreamsBenchmark; load $(cut -d' ' -f1-3 /proc/loadavg))"
# shellcheck disable=SC2046
"$JAVA" -Djmh.ignoreLock=true -jar benchmarks/target/benchmarks.jar 'StreamsBenchmark' -f 1 -wi 3 -i 5 -w 1 -r 1 $(jmhjson jmh-streams.json) \
  2>/dev/null | grep -E '^StreamsBenchmark' | tee "$TMP/streams.txt"
sv() { grep "StreamsBenchmark.$1 " "$TMP/streams.txt" | awk -v t="$2" '$2 == t {print 1e6 / $5}'; }
for t in epoll nio; do
  awk -v n="round trips ($t)" -v p="$(py 'socket floor')" -v j="$(sv echoRoundTrips $t)" \
    'BEGIN { printf "%-28s floor   %9.1f k/s   pyconc %10.1f k/s   %6.2f of the floor\n", n, p, j, j / p }'
  ratio "echo round trips ($t)"  "$(py 'echo round trips')" "$(sv echoRoundTrips $t)"
  ratio "echo 100 clients ($t)"  "$(py 'echo 100 clients')" "$(sv echoManyClients $t)"
done

if $STREAMS_ONLY; then exit 0; fi
mvn -B -q -pl examples dependency:build-classpath -Dmdep.outputFile="$TMP/cp.txt" >/dev/null
CP="examples/target/classes:async/target/classes:core/target/classes:$(cat "$TMP/cp.txt")"
echo "== hackysack, 100,000 tasks, 100,000 kicks, $ROUNDS rounds (java flags: $HACKY_JVM)"
for i in $(seq "$ROUNDS"); do
  python3 benchmarks/python/hackysack.py tasks 100000 100000 | tee -a "$TMP/hpy.txt"
  # shellcheck disable=SC2086
  "$JAVA" $HACKY_JVM -cp "$CP" dev.pyconc.examples.asyncio.HackysackExample tasks 100000 100000 | tee -a "$TMP/hjava.txt"
done
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
secs() { sed -E 's/.* in ([0-9.]+) s.*/\1/' "$1" | median; }
rss() { sed -E 's/.*peak RSS ([0-9]+) MiB.*/\1/' "$1" | median; }
if [ -n "$RESULTS" ]; then
  python3 - "$TMP/hpy.txt" "$TMP/hjava.txt" "$RESULTS/hackysack.json" <<'EOF'
import re, sys
sys.path.insert(0, "benchmarks/python")
import benchjson
out = benchjson.Results("hackysack", sys.argv[3])
for impl, path in (("CPython", sys.argv[1]), ("pyconc", sys.argv[2])):
    for line in open(path):
        m = re.search(r" in ([0-9.]+) s, peak RSS ([0-9]+) MiB", line)
        if m:
            out.add("hackysack_tasks_time", m.group(1), "s", impl)
            out.add("hackysack_tasks_peak_rss", m.group(2), "MiB", impl)
out.write()
EOF
fi
awk -v pt="$(secs "$TMP/hpy.txt")" -v jt="$(secs "$TMP/hjava.txt")" -v pm="$(rss "$TMP/hpy.txt")" -v jm="$(rss "$TMP/hjava.txt")" 'BEGIN {
  printf "hackysack medians: CPython %.2f s %d MiB, pyconc %.2f s %d MiB: time %.2f of CPython, memory %.2f of CPython\n", pt, pm, jt, jm, jt / pt, jm / pm }'
