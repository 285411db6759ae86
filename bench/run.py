"""Run the available benchmarks and print one table of figures and ratios.

    python -m bench.run [--objects 100000] [--repeat 30] [--museum] [--load] [--scale]
                        [--others]

--museum adds the rest of the museum (bench/generate_museum.py); --load runs gunicorn under the
loopback load generator (bench/bench_load.py); --scale compares 10k with 100k objects
(bench/bench_scale.py, BENCH_SCALE_SIZES); --others runs the domain benchmarks that live in their
own scripts (receivables aging and dunning, label PDF, environment chart) as subprocesses, each
with its own database, and prints their output.

The catalogue (BENCH_DATABASE_URL, default a SQLite file in /tmp) is generated on first use by
bench/generate.py and reused afterwards. Targets at 100k objects: search p95 ≤ 100 ms and ≤ 2× the
bare SQL; import ≥ 10,000 rows/s on SQLite.
"""

from __future__ import annotations

import argparse
import importlib
import os
from typing import Any

from bench.common import database_url, make_app, print_table

BENCHMARKS = ["bench.bench_search", "bench.bench_record"]
#: standalone scripts of other domains, run as they are (they make their own data)
OTHERS = ["bench.bench_receivables", "bench.bench_labels", "bench.bench_environment"]
COLUMNS = ["benchmark", "objects", "p50 ms", "p95 ms", "bare p50 ms", "bare p95 ms",
           "ratio p95", "growth p50", "growth p95", "queries", "requests", "req/s", "note"]


def run_others(timeout: float = 900) -> None:
    import importlib.util
    import subprocess
    import sys

    for name in OTHERS:
        if importlib.util.find_spec(name) is None:
            print(f"\n## {name}: not in this build")
            continue
        print(f"\n## {name}", flush=True)
        try:
            done = subprocess.run([sys.executable, "-m", name], timeout=timeout,
                                  capture_output=True, text=True, check=False)
        except subprocess.TimeoutExpired:
            print(f"stopped after {timeout:.0f} s")
            continue
        print(done.stdout.rstrip() or done.stderr[-2000:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--museum", action="store_true")
    parser.add_argument("--load", action="store_true")
    parser.add_argument("--scale", action="store_true")
    parser.add_argument("--others", action="store_true")
    args = parser.parse_args()
    from bench.generate import generate

    app = make_app(database_url())
    figures = generate(app, args.objects)
    print(f"database: {database_url()}  load average: {os.getloadavg()[0]:.1f}")
    if figures.get("generated"):
        print(f"generated {figures['generated']:,} objects through the importer: "
              f"{figures['rows_per_s']:,.0f} rows/s wall, "
              f"{figures['rows_per_cpu_s']:,.0f} rows per CPU second")
    if args.museum:
        from bench.generate_museum import generate_museum

        generate_museum(app, args.objects)
    rows: list[dict[str, Any]] = []
    names = BENCHMARKS + (["bench.bench_load"] if args.load else []) \
        + (["bench.bench_scale"] if args.scale else [])
    for name in names:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            rows.append({"benchmark": name, "note": f"not available: {exc}"})
            continue
        rows.extend(module.run(args.repeat, app))
    print_table(rows, [c for c in COLUMNS if any(c in r for r in rows)])
    if args.others:
        run_others()


if __name__ == "__main__":
    main()
