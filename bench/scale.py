"""bench/scale: ferry's peak memory when the input grows 10x (issue 7: within 10%).

Usage: python3 bench/scale.py FERRY EVENTS_CSV_GZ PROFILES_NDJSON_GZ WORKDIR RESULTS_MD
Environment: RUNS (default 3), FACTOR (default 10).

Builds 10x inputs in WORKDIR from the benchmark's own files (the events CSV's rows repeated
under one header, the profiles' gzip members concatenated), runs `ferry convert -o /dev/null`
and `ferry validate` on the 1x and 10x input RUNS times each, and appends the medians of wall
time and peak RSS, and the RSS ratio, to RESULTS_MD. Every run must read FACTOR times the rows.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

FERRY, EVENTS, PROFILES, WORKDIR, RESULTS = sys.argv[1:6]
RUNS = int(os.environ.get("RUNS", "3"))
FACTOR = int(os.environ.get("FACTOR", "10"))


def build_inputs():
    events_big = os.path.join(WORKDIR, f"events_x{FACTOR}.csv.gz")
    if not os.path.exists(events_big):
        print(f"bench/scale: building {events_big}", flush=True)
        script = (f"(gzip -dc '{EVENTS}'; for i in $(seq 2 {FACTOR}); do gzip -dc '{EVENTS}' | tail -n +2; done)"
                  f" | gzip -1 > '{events_big}.tmp' && mv '{events_big}.tmp' '{events_big}'")
        subprocess.run(["sh", "-c", script], check=True)
    profiles_big = os.path.join(WORKDIR, f"profiles_x{FACTOR}.ndjson.gz")
    if not os.path.exists(profiles_big):
        with open(profiles_big, "wb") as out, open(PROFILES, "rb") as member:
            data = member.read()
            for _ in range(FACTOR):
                out.write(data)   # a multi-member gzip file: the same lines FACTOR times
    return events_big, profiles_big


def run(command):
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times, \
         tempfile.NamedTemporaryFile("r", suffix=".json") as report:
        done = subprocess.run(["/usr/bin/time", "-o", times.name, "-f", "%e %M"] + command + ["--report", report.name, "--quiet"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if done.returncode != 0:
            sys.exit(f"bench/scale: {' '.join(command)} exited {done.returncode}: {done.stderr[-1000:]}")
        wall, rss = times.read().split()[-2:]
        return float(wall), int(rss) / 1024, json.load(report)["totals"]["read"]


def main():
    events_big, profiles_big = build_inputs()
    cases = [
        ("events CSV.gz -> Toplyne, convert", ["convert", "-m", "mappings/toplyne/user_events.yaml"], ["-o", "/dev/null"], EVENTS, events_big),
        ("events CSV.gz -> Toplyne, validate", ["validate", "-m", "mappings/toplyne/user_events.yaml"], [], EVENTS, events_big),
        ("profiles NDJSON.gz -> Pyze, convert", ["convert", "-m", "bench/mappings/pyze_profiles.yaml"], ["-o", "/dev/null"], PROFILES, profiles_big),
        ("profiles NDJSON.gz -> Pyze, validate", ["validate", "-m", "bench/mappings/pyze_profiles.yaml"], [], PROFILES, profiles_big),
    ]
    lines = ["", f"## Peak memory when the input grows {FACTOR}x", "",
             f"`bench/scale.py`: the same job on the benchmark's input and on {FACTOR} copies of it "
             "(the events' rows repeated under one header, the profiles' gzip members concatenated), "
             f"medians of {RUNS} runs; convert writes to `/dev/null`.", "",
             f"| job | rows 1x | wall 1x (s) | RSS 1x (MiB) | rows {FACTOR}x | wall {FACTOR}x (s) | RSS {FACTOR}x (MiB) | RSS ratio |",
             "|---|---|---|---|---|---|---|---|"]
    for name, head, tail, small, big in cases:
        figures = {}
        for label, path in (("1x", small), ("big", big)):
            samples = [run([FERRY] + head + [path] + tail) for _ in range(RUNS)]
            figures[label] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples), samples[0][2])
        (w1, r1, n1), (wb, rb, nb) = figures["1x"], figures["big"]
        if nb != FACTOR * n1:
            sys.exit(f"bench/scale: {name}: read {nb} rows from the big input, expected {FACTOR * n1}")
        lines.append(f"| {name} | {n1:,} | {w1:.2f} | {r1:.1f} | {nb:,} | {wb:.2f} | {rb:.1f} | {rb / r1:.2f} |")
        print(f"bench/scale: {name}: RSS {r1:.1f} -> {rb:.1f} MiB, wall {w1:.2f} -> {wb:.2f} s", flush=True)
    with open(RESULTS, "a") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
