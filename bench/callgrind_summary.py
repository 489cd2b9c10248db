"""Summary of a callgrind profile of LIMIT rows (bench/callgrind): instructions per row with
the start-up taken out (the profile of one row), and the functions that executed the most
themselves, their Swift names demangled. valgrind counts each byte a `rep movsb` copies as an
instruction, so memcpy's share is larger in these counts than in time."""
import json
import os
import re
import subprocess
import sys


def profile(path):
    """(total, {(function, object): count}) from callgrind_annotate."""
    annotated = subprocess.run(["callgrind_annotate", "--threshold=100", "--auto=no", path],
                               capture_output=True, text=True, check=True).stdout
    total = None
    functions = {}
    for line in annotated.splitlines():
        match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)$", line)
        if not match:
            continue
        count = int(match.group(1).replace(",", ""))
        text = match.group(2)
        if text.startswith("PROGRAM TOTALS"):
            total = count
            continue
        # "file:function [object]"
        found = re.match(r"^(?:.*?:)?(\S.*?) \[(.*)\]$", text)
        name, obj = (found.group(1), os.path.basename(found.group(2))) if found else (text, "")
        functions[(name, obj)] = functions.get((name, obj), 0) + count
    if total is None:
        sys.exit(f"bench/callgrind: no totals in {path}")
    return total, functions


def rows_read(report_path):
    """The rows a run read, from its report."""
    with open(report_path) as report:
        return json.load(report)["totals"]["read"]


def main():
    job, path, report_path, startup_path, startup_report_path, top = sys.argv[1:6] + [int(sys.argv[6])]
    total, functions = profile(path)
    startup, startup_functions = profile(startup_path)
    # The difference between the two runs is the cost of the rows the longer one read more.
    read = rows_read(report_path)
    rows = read - rows_read(startup_report_path)
    if rows <= 0:
        sys.exit(f"bench/callgrind: the {job} run read {read} rows, no more than the start-up run")
    marginal = sorted(((count - startup_functions.get(key, 0), key) for key, count in functions.items()), reverse=True)
    shown = marginal[:top]
    demangled = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(k[0] for _, k in shown),
                               capture_output=True, text=True).stdout.splitlines()
    if len(demangled) != len(shown):
        demangled = [k[0] for _, k in shown]
    rows_cost = total - startup
    print(f"\n{job}: {rows_cost / rows:,.0f} instructions per row ({total:,} for {read:,} rows, "
          f"{startup:,} of them start-up: the run on one row)")
    print("| per row | share | function | object |\n|---:|---:|---|---|")
    for (count, (_, obj)), name in zip(shown, demangled):
        name = name.strip()
        if len(name) > 100:
            name = name[:97] + "..."
        print(f"| {count / rows:,.0f} | {100 * count / rows_cost:.1f}% | `{name}` | {obj} |")


if __name__ == "__main__":
    main()
