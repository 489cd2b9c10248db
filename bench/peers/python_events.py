"""Job 1 as the one-off script a data engineer would write: csv + json from the standard
library, row by row. Usage: python_events.py INPUT.csv.gz OUTPUT.ndjson"""
import csv
import gzip
import json
import sys
from datetime import datetime

source, target = sys.argv[1], sys.argv[2]
with gzip.open(source, "rt", newline="") as rows, open(target, "w") as out:
    for row in csv.DictReader(rows):
        out.write(json.dumps({
            "userId": row["user_id"],
            "eventName": row["event"],
            "timestamp": int(datetime.fromisoformat(row["occurred_at"]).timestamp()),
            "eventProperties": {
                "plan": row["plan"], "seats": int(row["seats"]), "country": row["country"].upper(),
                "note": row["note"], "userAgent": row["user_agent"],
            },
        }, separators=(",", ":"), ensure_ascii=False))
        out.write("\n")
