"""Generate N realistic objects fast, reusing the Tate collection as a source of real values.

Each generated object takes a real Tate record (title, maker, date text, medium, dimensions,
credit line) round-robin; beyond the 69,202 real numbers the number gets a suffix (``T03868.2``).
Object names and departments come from the Tate classification, a few statuses vary, and every
object is put in one of 200 storage locations. Rows go through the real importer (Core bulk
insert), so generating also measures the import.

    python -m bench.generate 100000            # into BENCH_DATABASE_URL (default /tmp SQLite)
"""

from __future__ import annotations

import argparse
import csv
import gzip
import random
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import database_url, make_app, object_count

TATE = Path(__file__).resolve().parents[1].parent / "shared/data/museum/tate_artworks_cc0.csv.gz"
if not TATE.exists():
    TATE = Path("/work/shared/data/museum/tate_artworks_cc0.csv.gz")

OBJECT_NAMES = {"painting": "painting", "sculpture": "sculpture", "on paper, print": "print",
                "on paper, unique": "drawing", "installation": "installation",
                "relief": "relief", "block for printing": "printing block"}
DEPARTMENTS = {"painting": "Paintings", "sculpture": "Sculpture", "print": "Prints",
               "drawing": "Drawings", "installation": "Modern and contemporary",
               "relief": "Sculpture", "printing block": "Prints"}
STATUSES = ["accessioned"] * 18 + ["loan_in", "entry"]


def tate_rows() -> list[dict[str, str]]:
    with gzip.open(TATE, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, count: int, start: int = 0) -> None:
    source = tate_rows()
    rng = random.Random(1)
    columns = ["object_number", "title", "artist", "artist_role", "dateText", "medium",
               "dimensions", "creditLine", "object_name", "department", "status", "keywords"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(start, start + count):
            row = source[i % len(source)]
            lap = i // len(source)
            number = row["accession_number"] + (f".{lap + 1}" if lap else "")
            name = OBJECT_NAMES.get(row["classification"], "")
            writer.writerow([number, row["title"], row["artist"], row["artist_role"],
                             row["dateText"], row["medium"], row["dimensions"],
                             row["creditLine"], name, DEPARTMENTS.get(name, ""),
                             rng.choice(STATUSES), row["groupTitle"]])


def ensure_locations(session: Any, count: int = 200) -> list[int]:
    from catalog.locations.models import Location

    ids = list(session.scalars(sa.select(Location.id).where(Location.code.like("BENCH-%"))))
    if ids:
        return ids
    site = Location(code="BENCH-SITE", name="Bench store", kind="site")
    session.add(site)
    session.flush()
    for n in range(count):
        session.add(Location(code=f"BENCH-{n:03d}", name=f"Store room {n // 20 + 1}, bay {n}",
                             kind="shelf", parent_id=site.id))
    session.flush()
    return list(session.scalars(sa.select(Location.id).where(Location.code.like("BENCH-%"))))


def generate(app: Any, count: int) -> dict[str, Any]:
    """Add objects until the catalogue holds ``count``; returns the import figures."""
    from catalog.core.migrations import upgrade
    from catalog.extensions import db
    from catalog.imports.services import import_file
    from catalog.objects.models import CatalogueObject

    with app.app_context():
        upgrade()
    have = object_count(app)
    if have >= count:
        return {"generated": 0, "objects": have}
    path = Path("/tmp/catalog-bench-generate.csv")
    write_csv(path, count - have, start=have)
    with app.app_context():
        session = db.session
        started, cpu = time.perf_counter(), time.process_time()
        record, plan = import_file(session, path=path)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        if plan.errors:
            raise SystemExit(f"generation failed: {plan.errors[:3]}")
        locations = ensure_locations(session)
        table = CatalogueObject.__table__
        session.execute(table.update().where(table.c.current_location_id.is_(None)).values(
            current_location_id=sa.literal(min(locations)) + table.c.id % len(locations)))
        created = record.created_count
        session.commit()
    path.unlink()
    return {"generated": created, "objects": count, "seconds": elapsed,
            "rows_per_s": created / elapsed, "cpu_s": cpu, "rows_per_cpu_s": created / cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int, nargs="?", default=100_000)
    parser.add_argument("--url", default=None, help="database URL (default BENCH_DATABASE_URL)")
    args = parser.parse_args()
    app = make_app(args.url or database_url())
    figures = generate(app, args.count)
    print(figures)


if __name__ == "__main__":
    main()
