"""Bench: a 1,000-label PDF (target ≤ 2 s) and scan-to-recorded-move server time (p95 ≤ 50 ms).

Usage: ``python bench/bench_labels.py [--database-url URL]`` (default: a throw-away SQLite file).
The scan figure is the time the server takes for ``POST /api/v1/scans`` in move mode, from the
request entering Flask to the committed response (the move recorded), measured in-process.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LABELS = 1000
SCANS = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from catalog import create_app
    from catalog.core.migrations import upgrade
    from catalog.extensions import db

    tmp = Path(tempfile.mkdtemp(prefix="bench-labels-"))
    url = args.database_url or f"sqlite:///{tmp / 'bench.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "PASSWORD_HASH_FAST": True,
                      "PUBLIC_BASE_URL": "https://collections.example.museum",
                      "MEDIA_DIR": str(tmp / "media"), "LOG_LEVEL": "WARNING"})
    import os

    load = os.getloadavg()[0]
    print(f"database {url.split(':', 1)[0]}, load average {load:.1f} on {os.cpu_count()} cores "
          "(figures scale with the machine's load)")
    with app.app_context():
        upgrade()
        object_ids, location_codes = _seed(db.session)
        _bench_labels(db.session, object_ids)
    _bench_scans(app, location_codes)


def _seed(session: object) -> tuple[list[int], list[str]]:
    from catalog.locations.models import Location
    from catalog.objects.models import CatalogueObject
    from catalog.objects.numbers import natural_sort_key, normalise_number
    from catalog.users.services import create_user, sync_permissions

    sync_permissions(session)
    create_user(session, email="bench@example.org", password="bench-password-1",
                role_codes=["technician"])
    locations = [Location(code=f"BENCH-{n:03d}", name=f"Bench shelf {n}") for n in range(20)]
    session.add_all(locations)
    titles = ["Portrait of a lady", "Teapot with cover", "Allegorical landscape with ruins, "
              "shepherds and a distant view of a harbour at sunset, in a carved giltwood frame"]
    objects = []
    for n in range(LABELS):
        number = f"2026.{n // 100}.{n % 100}"
        objects.append(CatalogueObject(object_number=number, number_key=normalise_number(number),
                                       sort_key=natural_sort_key(number),
                                       title=titles[n % len(titles)]))
    session.add_all(objects)
    session.commit()
    return [o.id for o in objects], [loc.code for loc in locations]


def _bench_labels(session: object, object_ids: list[int]) -> None:
    from catalog.labels import services

    runs = {}
    for layout in ("L7160", "5160", "roll-62x29"):
        times, cpu = [], []
        for _ in range(3):
            started, started_cpu = time.perf_counter(), time.process_time()
            records = services.records_by_ids(session, "objects", object_ids)
            pdf = services.labels_pdf(kind="objects", records=records, layout_name=layout,
                                      base_url="https://collections.example.museum")
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        runs[layout] = (min(times), statistics.median(times), len(pdf), statistics.median(cpu))
    print("1,000-label PDF (query + render), target <= 2.00 s:")
    for layout, (best, median, size, cpu) in runs.items():
        verdict = "ok" if median <= 2.0 else "OVER TARGET"
        print(f"  {layout:<11} median {median:.2f} s  best {best:.2f} s  (CPU {cpu:.2f} s)  "
              f"{size / 1024:.0f} KiB  ratio to target {median / 2.0:.2f}  {verdict}")


def _bench_scans(app: object, location_codes: list[str]) -> None:
    client = app.test_client()  # type: ignore[attr-defined]
    response = client.post("/login", data={"email": "bench@example.org",
                                           "password": "bench-password-1"})
    assert response.status_code == 302, response.status_code
    times = []
    cpu_started = time.process_time()
    for n in range(SCANS):
        body = {"client_id": str(uuid.uuid4()), "mode": "move",
                "code": f"2026.{(n % LABELS) // 100}.{n % 100}",
                "location_code": location_codes[n % len(location_codes)]}
        started = time.perf_counter()
        response = client.post("/api/v1/scans/", json=body)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["status"] == "recorded", response.get_json()
    cpu_per_scan = (time.process_time() - cpu_started) / SCANS * 1000
    times.sort()
    p50 = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    verdict = "ok" if p95 <= 50 else "OVER TARGET"
    print(f"scan-to-recorded-move server time over {SCANS} scans, target p95 <= 50 ms:")
    print(f"  p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {times[-1]:.1f} ms  "
          f"(CPU {cpu_per_scan:.1f} ms per scan)  ratio to target {p95 / 50:.2f}  {verdict}")


if __name__ == "__main__":
    main()
