"""bench/load: ferry load into a separate `ferry sandbox --counts-only` on loopback.

Usage: python3 bench/load.py FERRY EVENTS_CSV_GZ RESULTS_MD   (appends a section to RESULTS_MD)
Environment: RUNS (default 5), LOAD_ROWS (rows for the batched targets, default 1000000),
PYZE_ROWS (events sent one per request, default 40000), WRK_SECONDS (default 10),
CONCURRENCY (default "1 8 32"), PORT (default 18789), ONLY (run only the targets whose name
holds this text, e.g. ONLY=pyze).

For each target (Toplyne user events in batches of 500, Pyze events one per request, Netcore
activities 1000 per request) and each concurrency it runs `ferry load --concurrency N` RUNS
times, the sandbox's ledger reset before each, and takes the medians of records/s,
requests/s, p99 latency (from ferry's --report) and ferry's peak RSS (/usr/bin/time). Every
run must deliver every row and the sandbox must count the same records, or the script fails.
After each of ferry's runs it measures the yardstick once: `ferry convert` of the same rows
for the batched targets, and for the one-per-request target wrk against the same sandbox with
the same connection count, once sending the median-length event of those ferry sends
(sandbox/pyze_events_file.lua) and once the shipped sample (sandbox/pyze_event.lua). Each
concurrency's ratio is then to the yardstick's median over the same minutes.
"""
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

FERRY, EVENTS, RESULTS = sys.argv[1:4]
RUNS = int(os.environ.get("RUNS", "5"))
LOAD_ROWS = int(os.environ.get("LOAD_ROWS", "1000000"))
PYZE_ROWS = int(os.environ.get("PYZE_ROWS", "40000"))
WRK_SECONDS = int(os.environ.get("WRK_SECONDS", "10"))
CONCURRENCY = [int(c) for c in os.environ.get("CONCURRENCY", "1 8 32").split()]
ONLY = os.environ.get("ONLY", "")
PORT = int(os.environ.get("PORT", "18789"))
BASE = f"http://127.0.0.1:{PORT}"

JOBS = [
    {"name": "Toplyne user events, batches of 500", "mapping": "mappings/toplyne/user_events.yaml",
     "prefix": "/toplyne", "rows": LOAD_ROWS, "target": "toplyne.user_events", "batched": True,
     "wrk": "bench/sandbox/toplyne_user_events_500.lua", "wrk_records": 500},
    {"name": "Pyze events, one per request", "mapping": "bench/mappings/pyze_events.yaml",
     "prefix": "/pyze", "rows": PYZE_ROWS, "target": "pyze.events", "batched": False,
     "wrk": "bench/sandbox/pyze_events_file.lua", "wrk_sample": "bench/sandbox/pyze_event.lua", "wrk_records": 1},
    {"name": "Netcore activities, 1000 per request", "mapping": "bench/mappings/netcore_activities.yaml",
     "prefix": "/netcore/us", "rows": LOAD_ROWS, "target": "netcore.activities", "batched": True,
     "wrk": None, "wrk_records": 1000},
]


def control(path, method="GET"):
    request = urllib.request.Request(BASE + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read() or b"null")


def timed(command, env=None):
    """Runs command under /usr/bin/time; returns (wall, cpu, peak RSS MiB, stderr)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as times:
        done = subprocess.run(["/usr/bin/time", "-o", times.name, "-f", "%e %U %S %M"] + command,
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        wall, user, system, rss = times.read().split()[-4:]
    if done.returncode != 0:
        sys.exit(f"bench/load: {' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return float(wall), float(user) + float(system), int(rss) / 1024, done.stderr


def process_rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_sandbox():
    sandbox = subprocess.Popen([FERRY, "sandbox", "--port", str(PORT), "--counts-only"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    environment = {}
    needed = {"NETCORE_API_KEY", "TOPLYNE_API_TOKEN", "PYZE_APP_KEY"}
    said = []
    deadline = time.time() + 30
    for line in sandbox.stdout:
        said.append(line)
        match = re.match(r"export (\w+)=(\S+)", line.strip())
        if match:
            environment[match.group(1)] = match.group(2)
        if needed <= environment.keys():
            break
        if time.time() > deadline:
            break
    if not needed <= environment.keys():
        # The port taken (a sandbox left running), say: its answer is in what it printed.
        sandbox.kill()
        sys.exit(f"bench/load: the sandbox on port {PORT} did not start:\n{''.join(said)[-2000:]}")
    return sandbox, environment


def median(values):
    return statistics.median(values) if values else float("nan")


def load_runs(job, concurrency, environment, workdir, between=None):
    """RUNS runs of ferry load; `between()` runs after each (the yardsticks, convert or wrk,
    interleaved with ferry's runs so that both meet the machine in the same state)."""
    runs = []
    for run in range(RUNS):
        control("/_sandbox/reset", "POST")
        report_path = os.path.join(workdir, "report.json")
        command = [FERRY, "load", "-m", job["mapping"], EVENTS, "--endpoint", BASE + job["prefix"],
                   "--concurrency", str(concurrency), "--limit", str(job["rows"]),
                   "--report", report_path, "--quiet"]
        wall, cpu, rss, _ = timed(command, env=environment)
        with open(report_path) as f:
            report = json.load(f)
        totals, delivery = report["totals"], report["delivery"]
        counted = control("/_sandbox/counts")
        sandbox_records = counted["records"].get(job["target"], 0)
        if totals["delivered"] != totals["valid"] or totals["pending"] or totals["rejected"]:
            sys.exit(f"bench/load: {job['name']} at {concurrency}: not every row was delivered: {totals}")
        if sandbox_records != totals["delivered"]:
            sys.exit(f"bench/load: the sandbox counted {sandbox_records} records, ferry delivered {totals['delivered']}")
        seconds = report["duration_seconds"]
        runs.append({"wall": wall, "cpu": cpu, "rss": rss, "records_per_s": totals["delivered"] / seconds,
                     "requests_per_s": delivery["requests"] / seconds, "p99": delivery["latency_ms"].get("p99", 0.0),
                     "requests": delivery["requests"], "retries": delivery["retries"], "records": totals["delivered"],
                     "final": delivery["concurrency_final"]})
        if between:
            between()
    figures = {key: median([r[key] for r in runs]) for key in runs[0]}
    # Adaptive concurrency may have lowered the limit in some run: the lowest end state shows it.
    figures["final"] = min(r["final"] for r in runs)
    # Each run's rates, in order, to pair with the yardstick run right after it.
    figures["each_records_per_s"] = [r["records_per_s"] for r in runs]
    figures["each_requests_per_s"] = [r["requests_per_s"] for r in runs]
    return figures


def pair_range(own, yardsticks):
    """The lowest and highest ratio of a run to the yardstick run right after it, as text."""
    ratios = [a / b for a, b in zip(own, yardsticks) if b]
    return f"{min(ratios):.2f}-{max(ratios):.2f}" if ratios else "-"


def convert_once(job, environment, workdir):
    """One `ferry convert` of the job's rows to a file; its rows/s (the batched yardstick)."""
    out = os.path.join(workdir, "convert.ndjson")
    report_path = os.path.join(workdir, "convert-report.json")
    timed([FERRY, "convert", "-m", job["mapping"], EVENTS, "--limit", str(job["rows"]), "-o", out,
           "--report", report_path, "--quiet"], env=environment)
    with open(report_path) as f:
        report = json.load(f)
    os.remove(out)
    return report["totals"]["valid"] / report["duration_seconds"]


def wrk_once(script, connections, env=None):
    """One wrk run against the sandbox; its requests/s."""
    threads = min(2, connections)
    control("/_sandbox/reset", "POST")
    done = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{WRK_SECONDS}s", "--latency", "-s", script, BASE],
                          capture_output=True, text=True, check=True, env=env)
    if "Non-2xx" in done.stdout:
        sys.exit(f"bench/load: wrk got non-2xx answers from the sandbox:\n{done.stdout}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", done.stdout).group(1))


def pyze_events_file(job, environment, workdir):
    """The events ferry sends, written by `ferry convert` (for pyze_events_file.lua)."""
    out = os.path.join(workdir, "pyze_events.ndjson")
    timed([FERRY, "convert", "-m", job["mapping"], EVENTS, "--limit", str(job["rows"]), "-o", out, "--quiet"], env=environment)
    return out


def grouped(n):
    return f"{n:,.0f}"


def main():
    if not any(ONLY.lower() in job["name"].lower() for job in JOBS):
        sys.exit(f"bench/load: ONLY={ONLY!r} names no target: " + ", ".join(job["name"] for job in JOBS))
    sandbox, credentials = start_sandbox()
    environment = dict(os.environ, **credentials)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="ferry-load-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as workdir:
            for job in [job for job in JOBS if ONLY.lower() in job["name"].lower()]:
                wrk_env = None
                if not job["batched"]:
                    wrk_env = dict(os.environ, PYZE_EVENTS=pyze_events_file(job, environment, workdir))
                for concurrency in CONCURRENCY:
                    own, sample, converts = [], [], []

                    def yardsticks():
                        if job["batched"]:
                            converts.append(convert_once(job, environment, workdir))
                        else:
                            own.append(wrk_once(job["wrk"], concurrency, wrk_env))
                            sample.append(wrk_once(job["wrk_sample"], concurrency))

                    figures = load_runs(job, concurrency, environment, workdir, yardsticks)
                    yardstick = median(converts) if converts else None
                    wrk = (median(own), median(sample)) if own else None
                    figures["pairs"] = (pair_range(figures["each_records_per_s"], converts) if converts
                                        else pair_range(figures["each_requests_per_s"], own))
                    rows.append((job, concurrency, figures, yardstick, wrk, process_rss_mib(sandbox.pid)))
                    print(f"bench/load: {job['name']} c={concurrency}: {grouped(figures['records_per_s'])} records/s, "
                          f"{grouped(figures['requests_per_s'])} requests/s, p99 {figures['p99']:.1f} ms, "
                          f"RSS {figures['rss']:.0f} MiB" + (f"; wrk {grouped(wrk[0])} requests/s (sample {grouped(wrk[1])})" if wrk else "")
                          + (f"; convert {grouped(yardstick)} rows/s, ratio {figures['records_per_s'] / yardstick:.2f}" if yardstick else "")
                          + f" (run by run {figures['pairs']})",
                          flush=True)
    finally:
        sandbox.send_signal(signal.SIGTERM)
        sandbox.wait(timeout=10)
    write(rows)


def write(rows):
    lines = [
        "",
        "## Load into the sandbox on loopback",
        "",
        f"`bench/load.py`, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: ferry and a separate `ferry sandbox --counts-only` (release builds) on loopback, "
        "sharing the same cores. Each figure is the median of "
        f"{RUNS} runs; the sandbox's counts are reset before each run and checked against ferry's report "
        "(every row delivered, the same number of records counted by the sandbox).",
        "",
        f"Input: `{EVENTS}`, the first {grouped(LOAD_ROWS)} rows for the batched targets and "
        f"{grouped(PYZE_ROWS)} for Pyze. records/s and requests/s are over ferry's whole run (reading, "
        "mapping and sending); p99 is the request latency ferry measured; ferry CPU is its user + system time; "
        "final concurrency is the lowest limit adaptive concurrency ended a run at (the --concurrency given unless it backed off); RSS is ferry's peak.",
        "",
        "| target | concurrency | records/s | requests/s | p99 (ms) | ferry CPU (s) | final concurrency | ferry RSS (MiB) | yardstick | ratio | run by run | sandbox RSS (MiB) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for job, concurrency, figures, yardstick, wrk, sandbox_rss in rows:
        if yardstick:
            stick, ratio = f"convert {grouped(yardstick)} rows/s", f"{figures['records_per_s'] / yardstick:.2f}"
        elif wrk:
            stick = f"wrk {grouped(wrk[0])} requests/s (shipped sample {grouped(wrk[1])})"
            ratio = f"{figures['requests_per_s'] / wrk[0]:.2f} ({figures['requests_per_s'] / wrk[1]:.2f})"
        else:
            stick, ratio = "-", "-"
        lines.append(f"| {job['name']} | {concurrency} | {grouped(figures['records_per_s'])} | "
                     f"{grouped(figures['requests_per_s'])} | {figures['p99']:.1f} | {figures['cpu']:.2f} | "
                     f"{figures['final']} | {figures['rss']:.0f} | "
                     f"{stick} | {ratio} | {figures['pairs']} | {sandbox_rss:.0f} |")
    lines += [
        "",
        "Yardsticks (issue 7's targets), each run once after each of ferry's runs, so that both meet the "
        "machine in the same state, and the ratio taken to their median at that concurrency: for batched "
        "targets, `ferry convert` of the same rows to a file (load should reach at least half of it); for one "
        "record per request, wrk with the same number of connections against the same sandbox (load should "
        "reach 80% of it), "
        "sending the event of median length among those ferry sends, with its sentAt and ferry's headers "
        "(`sandbox/pyze_events_file.lua`: the sandbox then checks the same members per request for both), "
        "and, in brackets, the shorter shipped sample event of `sandbox/pyze_event.lua` (seven members to "
        "check instead of ten, two nested). `run by run`: the lowest and highest ratio of one of ferry's runs "
        "to the yardstick run right after it (for Pyze, to wrk sending ferry's event).",
        "",
    ]
    with open(RESULTS, "a") as f:
        f.write("\n".join(lines))
    print(f"bench/load: added the load figures to {RESULTS}")


if __name__ == "__main__":
    main()
