"""Runs each tool on the same job several times, interleaved, in one sitting; checks every
output against ferry's (same records in the same order, up to key order and whitespace);
writes the medians and ratios to RESULTS.md and a plot to results.png.
Usage: measure.py CONFIG.json   (written by bench/run)"""
import json
import os
import platform
import statistics
import subprocess
import sys
import time

def machine() -> str:
    model = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB, {platform.system()} {platform.release()}"

def timed(command):
    """Wall seconds, CPU seconds (user + sys) and peak RSS (MiB) of one run; stdout discarded."""
    stats = "/tmp/ferry-bench-time.txt"
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", stats] + command,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {result.stderr.decode()[-500:]}")
    user, system, rss = open(stats).read().split()[-3:]
    return wall, float(user) + float(system), int(rss) / 1024

def main() -> None:
    config = json.load(open(sys.argv[1]))
    runs = config["runs"]
    results = {}
    for job in config["jobs"]:
        samples = {tool["name"]: [] for tool in job["tools"]}
        for run in range(runs):
            for tool in job["tools"]:
                # The previous run's output is removed first: overwriting it would charge this
                # run with freeing its pages (about 0.1 s for the events' 430 MB on tmpfs).
                if tool.get("output") and os.path.exists(tool["output"]):
                    os.remove(tool["output"])
                samples[tool["name"]].append(timed(tool["command"]))
                print(f"{job['name']} run {run + 1}/{runs} {tool['name']}: {samples[tool['name']][-1][0]:.2f} s", flush=True)
        checks = {}
        reference = job["reference"]
        for tool in job["tools"]:
            if tool.get("output") and tool["output"] != reference:
                check = subprocess.run([sys.executable, config["compare"], reference, tool["output"]],
                                       capture_output=True, text=True)
                checks[tool["name"]] = check.stdout.strip() or check.stderr.strip()
        results[job["name"]] = (job, samples, checks)
    write_results(config, results)

def write_results(config, results) -> None:
    lines = ["# Benchmark results", "",
             f"Written by `bench/run` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
             f"Machine: {machine()}.", f"Versions: {config['versions']}.",
             f"Each figure is the median of {config['runs']} runs, the tools interleaved in one sitting; "
             "wall time, CPU time (user + system) and peak resident memory from `/usr/bin/time`.", ""]
    plot = []
    for name, (job, samples, checks) in results.items():
        lines += [f"## {name}", "", job["description"], ""]
        lines += ["| tool | wall (s) | CPU (s) | peak RSS (MiB) | rows/s | wall vs ferry | output |",
                  "|---|---|---|---|---|---|---|"]
        ferry_wall = statistics.median(s[0] for s in samples["ferry"])
        for tool in job["tools"]:
            runs = samples[tool["name"]]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            rss = statistics.median(r[2] for r in runs)
            rate = job["rows"] / wall
            check = "reference" if tool.get("output") == job["reference"] else checks.get(tool["name"], "-")
            lines.append(f"| {tool['label']} | {wall:.2f} | {cpu:.2f} | {rss:.1f} | {rate:,.0f} | {wall / ferry_wall:.2f}x | {check} |")
            plot.append((name, tool["name"], rate, rss))
        lines.append("")
    lines += ["`rows/s` for `gzip -dc` is the decompression of the same file, the floor any tool pays.",
              "`output`: `same N` means every record equals ferry's, in order, up to key order and whitespace.", ""]
    with open(config["results"], "w") as out:
        out.write("\n".join(lines))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        jobs = list(results.keys())
        figure, axes = plt.subplots(len(jobs), 2, figsize=(11, 3.2 * len(jobs)), squeeze=False)
        for row, job in enumerate(jobs):
            entries = [entry for entry in plot if entry[0] == job]
            labels = [tool for _, tool, _, _ in entries]
            left, right = axes[row]
            left.barh(labels, [rate / 1e6 for _, _, rate, _ in entries], color="#3b7dd8")
            left.set_xlabel("million rows per second (higher is better)")
            left.set_title(job, loc="left", fontsize=10)
            right.barh(labels, [rss for _, _, _, rss in entries], color="#d8843b")
            right.set_xlabel("peak RSS, MiB, log scale (lower is better)")
            right.set_xscale("log")
        figure.tight_layout()
        figure.savefig(config["plot"], dpi=100)
    except ImportError:
        print("matplotlib missing: no plot", file=sys.stderr)

if __name__ == "__main__":
    main()
