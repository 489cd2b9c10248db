# Sourced by bench/run and bench/callgrind: the benchmark's inputs, generated once
# (deterministically) into bench/data. Sets $data, $events, $profiles and $orders.
ROWS=${ROWS:-2000000}
PROFILES=${PROFILES:-$((ROWS / 4))}
ORDERS=${ORDERS:-$((ROWS / 2))}
data=bench/data
mkdir -p "$data"
generate() {   # generator rows file
  if [ ! -f "$3" ]; then
    echo "bench: generating $3"
    python3 "bench/$1" "$2" | gzip -6 > "$3.tmp" && mv "$3.tmp" "$3"
  fi
}
events="$data/events_${ROWS}.csv.gz"
profiles="$data/profiles_${PROFILES}.ndjson.gz"
orders="$data/orders_${ORDERS}.csv.gz"
generate gen_events.py "$ROWS" "$events"
generate gen_profiles.py "$PROFILES" "$profiles"
generate gen_orders.py "$ORDERS" "$orders"
