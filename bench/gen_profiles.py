#!/usr/bin/env python3
"""Deterministic user-profile NDJSON for benchmarks, with nested objects and arrays.
Usage: gen_profiles.py ROWS > profiles.ndjson"""
import json
import random
import sys

def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    rng = random.Random(20261124)
    cities = [("Pune", "IN"), ("Berlin", "DE"), ("Austin", "US"), ("Lyon", "FR"), ("Osaka", "JP"), ("São Paulo", "BR")]
    firsts = ["Asha", "Ben", "Chloé", "Dev", "Eun-ji", "Femi", "Gita", "Hugo"]
    lasts = ["Rao", "Schmidt", "O'Neil", "Tanaka", "Silva", "Nguyen"]
    plans = ["free", "starter", "pro", "enterprise"]
    tags = ["beta", "vip", "churn-risk", "trial", "newsletter"]
    out = sys.stdout
    buf = []
    for i in range(1, rows + 1):
        city, country = rng.choice(cities)
        rec = {
            "user_id": "u%08d" % i,
            "email": "user%d@example.com" % i,
            "name": {"first": rng.choice(firsts), "last": rng.choice(lasts)},
            "created_at": "20%02d-%02d-%02dT%02d:%02d:%02d+05:30" % (
                rng.randrange(18, 26), rng.randrange(1, 13), rng.randrange(1, 29),
                rng.randrange(24), rng.randrange(60), rng.randrange(60)),
            "plan": rng.choice(plans) if rng.random() > 0.1 else None,
            "seats": rng.randrange(1, 500),
            "active": rng.random() < 0.8,
            "last_seen_ms": 1_730_000_000_000 + rng.randrange(10**10),
            "address": {"city": city, "country": country, "zip": "%05d" % rng.randrange(100000)},
            "tags": rng.sample(tags, rng.randrange(0, 4)),
            "score": round(rng.random() * 100, 3),
        }
        buf.append(json.dumps(rec, ensure_ascii=False, separators=(",", ":")))
        if len(buf) >= 10000:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")

if __name__ == "__main__":
    main()
