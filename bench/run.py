"""Run the available benchmarks and print one table of figures and ratios.

    python -m bench.run [--objects 100000] [--repeat 30]

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
COLUMNS = ["benchmark", "objects", "p50 ms", "p95 ms", "bare p50 ms", "bare p95 ms",
           "ratio p95", "queries", "note"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    from bench.generate import generate

    app = make_app(database_url())
    figures = generate(app, args.objects)
    print(f"database: {database_url()}  load average: {os.getloadavg()[0]:.1f}")
    if figures.get("generated"):
        print(f"generated {figures['generated']:,} objects through the importer: "
              f"{figures['rows_per_s']:,.0f} rows/s wall, "
              f"{figures['rows_per_cpu_s']:,.0f} rows per CPU second")
    rows: list[dict[str, Any]] = []
    for name in BENCHMARKS:
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            rows.append({"benchmark": name, "note": f"not available: {exc}"})
            continue
        rows.extend(module.run(args.repeat, app))
    print_table(rows, [c for c in COLUMNS if any(c in r for r in rows)])


if __name__ == "__main__":
    main()
