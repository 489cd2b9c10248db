"""Job 2 as a csv+json-style script: nested profiles NDJSON.gz -> Pyze user profiles with
ISO-8601 UTC times. Usage: python_profiles.py IN OUT"""
import gzip
import json
import sys
from datetime import datetime, timezone

def utc(moment: datetime) -> str:
    text = moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += ".%03d" % (moment.microsecond // 1000)
    return text + "Z"

source, target = sys.argv[1], sys.argv[2]
with gzip.open(source, "rt") as rows, open(target, "w") as out:
    for line in rows:
        p = json.loads(line)
        out.write(json.dumps({
            "userId": p["user_id"], "first_name": p["name"]["first"], "last_name": p["name"]["last"],
            "email_id": p["email"], "date_of_first_use": utc(datetime.fromisoformat(p["created_at"])),
            "date_of_last_use": utc(datetime.fromtimestamp(p["last_seen_ms"] / 1000, timezone.utc).replace(
                microsecond=(p["last_seen_ms"] % 1000) * 1000)),
            "plan": p["plan"], "seats": p["seats"], "active": p["active"],
            "city": p["address"]["city"], "country": p["address"]["country"], "zip": p["address"]["zip"],
            "score": float(p["score"]),
        }, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")
