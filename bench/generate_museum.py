"""Grow the benchmark catalogue into a whole museum: stores, movements, images, condition reports,
loans, environment readings and finance, with bulk Core inserts (50,000-row executemany batches).

    python -m bench.generate_museum 1000000 [--reading-days 365] [--sensors 200]
                                            [--invoices 100000] [--lines-per-invoice 10]

Objects come from bench/generate.py (real Tate records through the importer). The store tree is
the National Gallery of Art's real location list (site → room → unit position). Around it:
one movement per object (a tenth moved twice), image metadata for half of the objects, condition
reports for a tenth, 5-object loans (one per thousand objects), ``--sensors`` sensors each with
a reading every 15 minutes for ``--reading-days`` (365 days × 200 sensors ≈ 7M rows), and
``--invoices`` issued invoices whose journal entries make ``--lines-per-invoice`` ledger lines
each (100,000 × 10 = 1M). Each part is skipped when already there, so re-runs are cheap.

The ORM (and so the audit trail) is bypassed on purpose: this is benchmark data, and the ORM
would take hours for millions of rows. Rows are given explicit ids so children can point at
parents without reading them back; PostgreSQL sequences are moved past them afterwards.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import database_url, make_app

NGA = Path("/work/shared/data/museum/nga_locations/locations.csv")
_repo_copy = Path(__file__).resolve().parents[2] / "shared/data/museum/nga_locations/locations.csv"
if _repo_copy.exists():
    NGA = _repo_copy
BATCH = 50_000
MARK = "NGA-"  # location codes of the generated store tree
EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def insert(conn: Any, table: sa.Table, rows: Iterable[dict[str, Any]]) -> int:
    count = 0
    for batch in batches(rows):
        conn.execute(table.insert(), batch)
        count += len(batch)
    return count


def next_id(conn: Any, table: sa.Table) -> int:
    return int(conn.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))) + 1


def fix_sequence(conn: Any, table: sa.Table) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
            f'(SELECT COALESCE(max(id), 1) FROM "{table.name}"))')


def tables() -> dict[str, sa.Table]:
    from catalog.extensions import db

    return dict(db.metadata.tables)


def _exists(conn: Any, table: sa.Table, *where: Any) -> bool:
    return conn.scalar(sa.select(sa.literal(1)).select_from(table).where(*where).limit(1)) \
        is not None


def location_tree(conn: Any) -> list[int]:
    """The NGA sites, rooms and unit positions as a tree; returns the leaf (storable) ids."""
    t = tables()["locations"]
    if not _exists(conn, t, t.c.code.like(f"{MARK}%")):
        with NGA.open(newline="", encoding="utf-8") as handle:
            source = list(csv.DictReader(handle))
        now = datetime.now(UTC)
        ident = next_id(conn, t)
        rows: list[dict[str, Any]] = []
        ids: dict[str, int] = {}

        def add(code: str, name: str, kind: str, parent: int | None) -> int:
            nonlocal ident
            if code not in ids:
                ids[code] = ident
                rows.append({"id": ident, "code": code, "name": name[:300], "kind": kind,
                             "parent_id": parent, "created_at": now, "updated_at": now})
                ident += 1
            return ids[code]

        for rec in source:
            site = add(f"{MARK}{rec['site']}", rec["site"] or "Site", "site", None)
            room = add(f"{MARK}{rec['room']}", rec["description"] or rec["room"], "room", site)
            if rec["unitposition"]:
                add(f"{MARK}{rec['room']}-{rec['unitposition']}",
                    f"{rec['description']}, {rec['unitposition']}", "shelf", room)
        insert(conn, t, rows)
        fix_sequence(conn, t)
    leaves = list(conn.scalars(sa.select(t.c.id).where(t.c.code.like(f"{MARK}%"),
                                                       t.c.kind == "shelf")))
    return leaves or list(conn.scalars(sa.select(t.c.id).where(t.c.code.like(f"{MARK}%"))))


def movements(conn: Any, object_ids: list[int], places: list[int], rng: random.Random) -> int:
    t, objects = tables()["movements"], tables()["objects"]
    if _exists(conn, t, t.c.reason == "bench: store survey"):
        return 0

    def rows() -> Iterator[dict[str, Any]]:
        for n, object_id in enumerate(object_ids):
            first = places[object_id % len(places)]
            when = EPOCH + timedelta(minutes=n % 500_000)
            yield {"object_id": object_id, "from_location_id": None, "to_location_id": first,
                   "moved_at": when, "status": "done", "reason": "bench: store survey",
                   "sets_home": True}
            if n % 10 == 0:
                yield {"object_id": object_id, "from_location_id": first,
                       "to_location_id": rng.choice(places), "moved_at": when + timedelta(days=30),
                       "status": "done", "reason": "bench: store survey", "sets_home": False}

    count = insert(conn, t, rows())
    # The object's current and home location follow its last movement (one UPDATE, not N).
    conn.execute(objects.update().values(
        current_location_id=sa.select(t.c.to_location_id).where(t.c.object_id == objects.c.id)
        .order_by(t.c.moved_at.desc(), t.c.id.desc()).limit(1).scalar_subquery(),
        home_location_id=sa.select(t.c.to_location_id).where(
            t.c.object_id == objects.c.id, t.c.sets_home.is_(True)).limit(1).scalar_subquery()))
    return count


def images(conn: Any, object_ids: list[int]) -> int:
    t = tables()["object_images"]
    if _exists(conn, t, t.c.file_key.like("bench/%")):
        return 0
    cols = set(t.c.keys())
    now = datetime.now(UTC)

    def rows() -> Iterator[dict[str, Any]]:
        for object_id in object_ids[::2]:
            row = {"object_id": object_id, "file_key": f"bench/{object_id}.jpg",
                   "original_name": f"{object_id}.jpg", "format": "JPEG", "width": 4000,
                   "height": 3000, "size_bytes": 2_400_000}
            if "is_primary" in cols:
                row["is_primary"] = True
            if "created_at" in cols:
                row["created_at"] = now
            yield row

    return insert(conn, t, rows())


def condition_reports(conn: Any, object_ids: list[int], rng: random.Random) -> int:
    t = tables()["condition_reports"]
    if _exists(conn, t, t.c.examiner_name == "Bench Conservator"):
        return 0
    overall = ["good"] * 6 + ["fair"] * 3 + ["poor"]
    now = datetime.now(UTC)

    def rows() -> Iterator[dict[str, Any]]:
        for object_id in object_ids[::10]:
            yield {"object_id": object_id, "context": "routine",
                   "examiner_name": "Bench Conservator",
                   "examined_on": date(2024, 1, 1) + timedelta(days=object_id % 700),
                   "overall": rng.choice(overall), "summary": "Surveyed in the store.",
                   "created_at": now, "updated_at": now}

    return insert(conn, t, rows())


def parties(conn: Any, count: int) -> list[int]:
    t = tables()["parties"]
    have = list(conn.scalars(sa.select(t.c.id).where(t.c.name.like("Bench lender %"))))
    if have:
        return have
    now = datetime.now(UTC)
    start = next_id(conn, t)
    insert(conn, t, ({"id": start + n, "kind": "organisation", "name": f"Bench lender {n}",
                      "sort_name": f"Bench lender {n}", "created_at": now, "updated_at": now}
                     for n in range(count)))
    fix_sequence(conn, t)
    return list(range(start, start + count))


def loans(conn: Any, object_ids: list[int], party_ids: list[int]) -> int:
    t, lo = tables()["loans"], tables()["loan_objects"]
    if _exists(conn, t, t.c.number.like("BENCH-L%")):
        return 0
    now = datetime.now(UTC)
    start = next_id(conn, t)
    count = max(1, len(object_ids) // 1000)
    rows, items = [], []
    for n in range(count):
        begin = date(2026, 1, 1) + timedelta(days=n % 700)
        rows.append({"id": start + n, "number": f"BENCH-L{n:06d}", "direction": "out",
                     "status": "on_display", "party_id": party_ids[n % len(party_ids)],
                     "start_date": begin, "end_date": begin + timedelta(days=90),
                     "return_due": begin + timedelta(days=100), "created_at": now,
                     "updated_at": now})
        items += [{"loan_id": start + n, "object_id": object_ids[(n * 5 + k) % len(object_ids)]}
                  for k in range(5)]
    insert(conn, t, rows)
    fix_sequence(conn, t)
    insert(conn, lo, items)
    return count


def environment(conn: Any, places: list[int], sensors: int, days: int,
                rng: random.Random) -> int:
    s, r = tables()["env_sensors"], tables()["env_readings"]
    if _exists(conn, s, s.c.code.like("BENCH-S%")):
        return 0
    now = datetime.now(UTC)
    start = next_id(conn, s)
    insert(conn, s, ({"id": start + n, "code": f"BENCH-S{n:03d}", "name": f"Store logger {n}",
                      "kind": "logger", "location_id": places[n % len(places)],
                      "timezone": "UTC", "created_at": now, "updated_at": now}
                     for n in range(sensors)))
    fix_sequence(conn, s)
    steps = days * 96

    def rows() -> Iterator[dict[str, Any]]:
        for n in range(sensors):
            temp, rh = 2000, 500
            for step in range(steps):
                # a slow random walk: a real store drifts, it does not jump
                temp = min(2600, max(1500, temp + rng.randint(-3, 3)))
                rh = min(650, max(350, rh + rng.randint(-2, 2)))
                yield {"sensor_id": start + n, "taken_at": EPOCH + timedelta(minutes=15 * step),
                       "temperature": temp, "humidity": rh, "lux": None}

    return insert(conn, r, rows())


def finance(conn: Any, party_ids: list[int], invoices: int, lines_per_invoice: int) -> int:
    """Issued loan-fee invoices, each with its journal entry of ``lines_per_invoice`` lines."""
    t = tables()
    inv, il, je, ll = (t["invoices"], t["invoice_lines"], t["journal_entries"],
                       t["ledger_lines"])
    if _exists(conn, inv, inv.c.number.like("BENCH-%")):
        return 0
    accounts = dict(conn.execute(sa.select(t["ledger_accounts"].c.code,
                                           t["ledger_accounts"].c.id)).all())
    revenue = [accounts[c] for c in accounts if c.startswith("revenue_")]
    now = datetime.now(UTC)
    first_invoice, first_entry = next_id(conn, inv), next_id(conn, je)
    income_lines = max(1, lines_per_invoice - 1)

    def invoice_rows() -> Iterator[dict[str, Any]]:
        for n in range(invoices):
            issued = date(2025, 1, 1) + timedelta(days=n % 600)
            total = income_lines * (10_000 + (n % 50) * 100)
            yield {"id": first_invoice + n, "kind": "loan_fee",
                   "party_id": party_ids[n % len(party_ids)], "currency": "GBP",
                   "status": "draft", "series": "INV", "number": f"BENCH-{n:07d}",
                   "issue_date": issued, "due_date": issued + timedelta(days=30),
                   "net_minor": total, "tax_minor": 0, "total_minor": total,
                   "issued_at": now, "created_at": now, "updated_at": now}

    def line_rows() -> Iterator[dict[str, Any]]:
        for n in range(invoices):
            yield {"invoice_id": first_invoice + n, "position": 1, "description": "Loan fee",
                   "quantity": income_lines, "unit_price_minor": 10_000 + (n % 50) * 100,
                   "tax_rate_bp": 0, "net_minor": income_lines * (10_000 + (n % 50) * 100),
                   "tax_minor": 0}

    def entry_rows() -> Iterator[dict[str, Any]]:
        for n in range(invoices):
            yield {"id": first_entry + n, "entry_date": date(2025, 1, 1) + timedelta(days=n % 600),
                   "posted_at": now, "memo": f"Invoice BENCH-{n:07d} issued",
                   "source_type": "invoice", "source_id": first_invoice + n}

    def ledger_rows() -> Iterator[dict[str, Any]]:
        for n in range(invoices):
            day = date(2025, 1, 1) + timedelta(days=n % 600)
            party, price = party_ids[n % len(party_ids)], 10_000 + (n % 50) * 100
            common = {"entry_id": first_entry + n, "entry_date": day, "currency": "GBP",
                      "party_id": party, "invoice_id": first_invoice + n}
            yield {**common, "account_id": accounts["receivable"],
                   "amount_minor": income_lines * price}
            for k in range(income_lines):
                yield {**common, "account_id": revenue[k % len(revenue)], "amount_minor": -price}

    insert(conn, inv, invoice_rows())
    fix_sequence(conn, inv)
    insert(conn, il, line_rows())
    # Lines may only be added to drafts (a trigger guards issued invoices): issue them after.
    conn.execute(inv.update().where(inv.c.number.like("BENCH-%")).values(status="issued"))
    insert(conn, je, entry_rows())
    fix_sequence(conn, je)
    return insert(conn, ll, ledger_rows())


def generate_museum(app: Any, objects: int, *, sensors: int = 200, reading_days: int = 365,
                    invoices: int = 100_000, lines_per_invoice: int = 10,
                    log: Any = print) -> dict[str, float]:
    """Make the museum (objects first); returns seconds per part."""
    from bench.generate import generate
    from catalog.extensions import db

    timings: dict[str, float] = {}
    started = time.perf_counter()
    generate(app, objects)
    timings["objects"] = time.perf_counter() - started
    rng = random.Random(10)
    with app.app_context():
        from catalog.finance.ledger import chart_ids

        chart_ids(db.session)  # the chart of accounts is made on first use
        db.session.commit()
        engine = db.engine
        objects_t = tables()["objects"]
        with engine.connect() as conn:
            object_ids = list(conn.scalars(sa.select(objects_t.c.id).order_by(objects_t.c.id)))
        for name, work in [
            ("locations", lambda c: len(location_tree(c))),
            ("movements", lambda c: movements(c, object_ids, location_tree(c), rng)),
            ("images", lambda c: images(c, object_ids)),
            ("condition reports", lambda c: condition_reports(c, object_ids, rng)),
            ("loans", lambda c: loans(c, object_ids, parties(c, 2_000))),
            ("environment readings", lambda c: environment(c, location_tree(c), sensors,
                                                           reading_days, rng)),
            ("ledger lines", lambda c: finance(c, parties(c, 2_000), invoices,
                                               lines_per_invoice)),
        ]:
            part = time.perf_counter()
            with engine.begin() as conn:
                made = work(conn)
            timings[name] = time.perf_counter() - part
            log(f"{name}: {made:,} in {timings[name]:.1f} s")
        db.session.remove()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("objects", type=int, nargs="?", default=10_000)
    parser.add_argument("--url", default=None, help="database URL (default BENCH_DATABASE_URL)")
    parser.add_argument("--sensors", type=int, default=200)
    parser.add_argument("--reading-days", type=int, default=365)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--lines-per-invoice", type=int, default=10)
    args = parser.parse_args()
    app = make_app(args.url or database_url())
    started = time.perf_counter()
    generate_museum(app, args.objects, sensors=args.sensors, reading_days=args.reading_days,
                    invoices=args.invoices, lines_per_invoice=args.lines_per_invoice)
    print(f"museum ready in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
