"""Search at scale: p50/p95 of the search page through the Flask test client, and of the very
same SQL statements run on a bare DB-API cursor (no Flask, ORM or template), with the ratio.

Targets: page p95 ≤ 100 ms, and ≤ 2× the bare SQL.

    python -m bench.bench_search [--repeat 30]
"""

from __future__ import annotations

import argparse
from typing import Any
from urllib.parse import urlencode

from bench.common import (
    captured_sql,
    make_app,
    object_count,
    replay,
    signed_in_client,
    summary,
    timed,
)

#: (label, query string) — what registrars type
QUERIES = [
    ("exact number", {"q": "T03868"}),
    ("number prefix", {"q": "T038"}),
    ("part of a number", {"q": "3868"}),
    ("maker", {"q": "turner"}),
    ("two words", {"q": "castle sunrise"}),
    ("word + facet", {"q": "landscape", "department": "Paintings"}),
    ("browse all, by number", {"sort": "number"}),
    ("facet only", {"object_name": "painting"}),
]


def run(repeat: int = 30, app: Any = None) -> list[dict[str, Any]]:
    app = app or make_app()
    client = signed_in_client(app)
    objects = object_count(app)
    rows = []
    for label, params in QUERIES:
        url = "/search/?" + urlencode(params)

        def page(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        with captured_sql(app) as statements:
            page()
        # Drop the sign-in look-ups: the bare query is the search itself.
        search_sql = [s for s in statements if "FROM users" not in s[0]
                      and "user_roles" not in s[0] and "role_permissions" not in s[0]]
        web = summary(timed(page, repeat))
        bare = summary(timed(replay(app, search_sql), repeat))
        rows.append({"benchmark": f"search: {label}", "objects": objects,
                     "p50 ms": web["p50"], "p95 ms": web["p95"], "bare p50 ms": bare["p50"],
                     "bare p95 ms": bare["p95"], "ratio p95": web["p95"] / bare["p95"],
                     "queries": len(search_sql)})
    return rows


def main() -> None:
    from bench.common import print_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    rows = run(args.repeat)
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
