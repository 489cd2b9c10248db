#!/bin/sh
# Measures the sandbox alone: a release `ferry sandbox` on loopback under wrk.
# Usage: bench/sandbox/run.sh [duration]   (needs wrk: apt-get install wrk)
set -eu
cd "$(dirname "$0")/../.."
DURATION=${1:-10s}
PORT=${PORT:-18788}
swift build -c release --product ferry >/dev/null
BIN=$(swift build -c release --show-bin-path)/ferry
"$BIN" sandbox --port "$PORT" >/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
sleep 1
URL=http://127.0.0.1:$PORT
for script in toplyne_user_events_500 pyze_event; do
  for connections in 8 32; do
    curl -s -X POST "$URL/_sandbox/reset" >/dev/null
    echo "== $script  wrk -t2 -c$connections -d$DURATION"
    wrk -t2 -c"$connections" -d"$DURATION" -s "bench/sandbox/$script.lua" "$URL" | grep -E "Requests/sec|Latency|Non-2xx|Socket errors|requests in"
    echo "   sandbox RSS: $(ps -o rss= -p $PID | awk '{printf "%.0f MiB", $1/1024}')  ledger: $(curl -s "$URL/_sandbox/counts")"
  done
done
