#!/bin/sh
# Job 2 with Miller (mlr 6): nested profiles NDJSON.gz -> Pyze user profiles with ISO-8601 UTC
# times. Miller's strptime has no %z, so the offset is applied by hand. Usage:
# miller_profiles.sh INPUT.ndjson.gz OUTPUT.ndjson
exec mlr --ijsonl --ojsonl --gzin put '
  c = $created_at;
  t = strptime(substr1(c, 1, 19) . "Z", "%Y-%m-%dT%H:%M:%SZ");
  o = substr1(c, 20, strlen(c));
  if (o != "Z") {
    sign = substr1(o, 1, 1) == "-" ? -1 : 1;
    t = t - sign * (int(substr1(o, 2, 3)) * 3600 + int(substr1(o, 5, 6)) * 60);
  }
  ms = $last_seen_ms;
  $* = {
    "userId": $user_id, "first_name": $name["first"], "last_name": $name["last"], "email_id": $email,
    "date_of_first_use": sec2gmt(t),
    "date_of_last_use": ms % 1000 == 0 ? sec2gmt(ms // 1000) : sub(sec2gmt(ms // 1000), "Z$", "." . fmtnum(ms % 1000, "%03d") . "Z"),
    "plan": $plan, "seats": $seats, "active": $active,
    "city": $address["city"], "country": $address["country"], "zip": $address["zip"],
    "score": float($score)
  }' "$1" > "$2"
