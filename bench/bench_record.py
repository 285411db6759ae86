"""The object record page at scale: p50/p95 through the Flask test client over random objects,
and the same SQL on a bare DB-API cursor.

    python -m bench.bench_record [--repeat 30]
"""

from __future__ import annotations

import argparse
import random
from typing import Any

import sqlalchemy as sa

from bench.common import (
    captured_sql,
    make_app,
    object_count,
    replay,
    signed_in_client,
    summary,
    timed,
)


def record_url(app: Any, object_id: int) -> str | None:
    for endpoint in ("objects.detail", "objects.show", "objects.view"):
        if endpoint in app.view_functions:
            with app.test_request_context():
                from flask import url_for

                return url_for(endpoint, object_id=object_id)
    return None


def run(repeat: int = 30, app: Any = None) -> list[dict[str, Any]]:
    from catalog.extensions import db
    from catalog.objects.models import CatalogueObject

    app = app or make_app()
    client = signed_in_client(app)
    with app.app_context():
        ids = list(db.session.scalars(sa.select(CatalogueObject.id)))
    if not ids or record_url(app, ids[0]) is None:
        return [{"benchmark": "record page", "objects": len(ids), "p50 ms": None,
                 "note": "no record page in this build"}]
    rng = random.Random(7)
    sample = [rng.choice(ids) for _ in range(repeat)]
    urls = iter(sample * 2)

    def page() -> None:
        response = client.get(record_url(app, next(urls)) or "")
        assert response.status_code == 200, response.status_code

    web = summary(timed(page, repeat - 1))
    with captured_sql(app) as statements:
        client.get(record_url(app, sample[0]) or "")
    record_sql = [s for s in statements if "FROM users" not in s[0]
                  and "user_roles" not in s[0] and "role_permissions" not in s[0]]
    bare = summary(timed(replay(app, record_sql), repeat))
    return [{"benchmark": "record page", "objects": object_count(app), "p50 ms": web["p50"],
             "p95 ms": web["p95"], "bare p50 ms": bare["p50"], "bare p95 ms": bare["p95"],
             "ratio p95": web["p95"] / bare["p95"], "queries": len(record_sql)}]


def main() -> None:
    from bench.common import print_table

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=30)
    rows = run(parser.parse_args().repeat)
    print_table(rows, list(rows[0]))


if __name__ == "__main__":
    main()
