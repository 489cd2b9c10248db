#!/usr/bin/env python3
"""Deterministic user-events CSV for benchmarks: 8 columns (user id, event name, ISO-8601
timestamp, plan, integer, country, two free-text columns, some quoted with commas and
doubled quotes). Usage: gen_events.py ROWS > events.csv"""
import random
import sys

def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    rng = random.Random(20261123)
    events = ["page_view", "signup", "login", "add_to_cart", "checkout", "purchase", "logout", "search"]
    plans = ["free", "starter", "pro", "enterprise"]
    countries = ["US", "IN", "DE", "GB", "FR", "BR", "JP", "AU", "CA", "NL"]
    words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
             "kilo", "lima", "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra", "tango"]
    agents = ["Mozilla/5.0 (X11; Linux x86_64)", "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_1)",
              "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)", "curl/8.4.0", "okhttp/4.12.0"]
    out = sys.stdout
    out.write("user_id,event,occurred_at,plan,seats,country,note,user_agent\n")
    base = 1_700_000_000
    buf = []
    for i in range(rows):
        t = base + i * 7 + rng.randrange(7)
        day, rem = divmod(t, 86400)
        # civil date from days since epoch (Howard Hinnant's algorithm)
        z = day + 719468
        era = z // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        y = yoe + era * 400
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + 3 if mp < 10 else mp - 9
        y += m <= 2
        ts = "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, rem // 3600, rem // 60 % 60, rem % 60)
        n = rng.randrange(2, 9)
        note = " ".join(rng.choice(words) for _ in range(n))
        r = rng.random()
        if r < 0.2:
            note = '"' + note.replace(" ", ", ", 1) + '"'
        elif r < 0.25:
            note = '"' + note + ' ""quoted"" words"'
        agent = rng.choice(agents)
        if "," in agent:
            agent = '"' + agent + '"'
        else:
            agent = '"' + agent + '"' if rng.random() < 0.5 else agent
        buf.append("u%07d,%s,%s,%s,%d,%s,%s,%s\n" % (
            rng.randrange(1, 500_000), rng.choice(events), ts, rng.choice(plans),
            rng.randrange(1, 500), rng.choice(countries), note, agent))
        if len(buf) >= 10000:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))

if __name__ == "__main__":
    main()
