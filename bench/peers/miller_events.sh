#!/bin/sh
# Job 1 with Miller (mlr 6): CSV.gz -> Toplyne user events as NDJSON. Usage: miller_events.sh INPUT.csv.gz OUTPUT.ndjson
exec mlr -S --icsv --ojsonl --gzin put '
  $* = {
    "userId": $user_id,
    "eventName": $event,
    "timestamp": strptime($occurred_at, "%Y-%m-%dT%H:%M:%SZ"),
    "eventProperties": {
      "plan": $plan, "seats": int($seats), "country": toupper($country), "note": $note, "userAgent": $user_agent
    }
  }' "$1" > "$2"
