"""Benchmark environmental readings: import rate and chart queries over a year of data.

Usage: python bench/bench_environment.py [DATABASE_URL] [--sensors N]
       (default: a fresh SQLite file; --sensors adds N-1 more sensors with a year each, so the
       chart query runs against a table the size of a real museum's, e.g. 200 → 7 million rows)

Prints rows/s for importing a year of 15-minute readings for one sensor (35,040 rows) through
the logger-file path (parse + store + alert evaluation) and the chart queries the location page
runs for that year (bucketed series, daily table, time in range).
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    import argparse

    from catalog import create_app
    from catalog.core.migrations import upgrade
    from catalog.environment import services
    from catalog.environment.models import Sensor
    from catalog.environment.parsers import parse_logger_file
    from catalog.extensions import db
    from catalog.locations.models import Location

    parser = argparse.ArgumentParser()
    parser.add_argument("url", nargs="?")
    parser.add_argument("--sensors", type=int, default=1)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    url = args.url or f"sqlite:///{tmp}/bench.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "MEDIA_DIR": tmp})
    with app.app_context():
        upgrade()
        session = db.session
        location = Location(code=f"BENCH-{int(time.time())}", name="Bench store", kind="room",
                            target_preset="bizot2023")
        sensor = Sensor(code=f"{location.code}-TT", name="Bench logger", kind="tinytag",
                        location=location, timezone="UTC")
        session.add_all([location, sensor])
        session.commit()

        start = datetime(2025, 1, 1, tzinfo=UTC)
        rows = 365 * 96
        lines = ["Time,Temperature (C),Humidity (%RH)"]
        for i in range(rows):
            when = start + timedelta(minutes=15 * i)
            hours = i / 4
            temp = 19.5 + 3 * math.sin(2 * math.pi * hours / 24) + 2 * math.sin(
                2 * math.pi * hours / 24 / 365)
            rh = 50 + 8 * math.sin(2 * math.pi * hours / 24 / 7)
            lines.append(f"{when:%Y-%m-%d %H:%M:%S},{temp:.2f},{rh:.1f}")
        data = "\n".join(lines).encode()

        t0 = time.perf_counter()
        parsed = parse_logger_file(data, filename="year.csv", timezone="UTC")
        t1 = time.perf_counter()
        outcome = services.store_readings(session, sensor, parsed.readings, source="bench",
                                          actor=None, evaluate=False)
        session.commit()
        t2 = time.perf_counter()
        services.evaluate_sensor(session, sensor, since=start)
        session.commit()
        t3 = time.perf_counter()
        print(f"backend: {db.engine.dialect.name}")
        print(f"readings: {outcome.record.rows_imported} (one sensor, a year at 15 minutes)")
        print(f"parse:    {rows / (t1 - t0):>10,.0f} rows/s ({t1 - t0:.2f} s)")
        print(f"store:    {rows / (t2 - t1):>10,.0f} rows/s ({t2 - t1:.2f} s)")
        print(f"alerts:   {rows / (t3 - t2):>10,.0f} rows/s ({t3 - t2:.2f} s)")
        print(f"import total: {rows / (t3 - t0):,.0f} rows/s")

        if args.sensors > 1:
            from catalog.environment.models import Reading

            t = time.perf_counter()
            for n in range(1, args.sensors):
                other = Sensor(code=f"{location.code}-X{n}", name="Other logger", kind="other",
                               timezone="UTC")
                session.add(other)
                session.flush()
                session.execute(sa.insert(Reading), [
                    {"sensor_id": other.id, "taken_at": r.taken_at,
                     "temperature": round(r.temperature * 100), "humidity": round(r.humidity * 10)}
                    for r in parsed.readings])
                session.commit()
            total = rows * args.sensors
            print(f"filled {args.sensors - 1} more sensors: {total:,} readings in the table "
                  f"({rows * (args.sensors - 1) / (time.perf_counter() - t):,.0f} rows/s bulk)")

        end = start + timedelta(days=365)
        for label, func in [
            ("chart series (1000 points)", lambda: services.series(
                session, location, start=start, end=end, max_points=1000)),
            ("daily min/max/mean table", lambda: services.daily_stats(
                session, location, start=start, end=end, timezone="Europe/London")),
            ("% time in range", lambda: services.time_in_range(
                session, location, start=start, end=end)),
        ]:
            func()  # warm
            times = []
            for _ in range(5):
                t = time.perf_counter()
                result = func()
                times.append(time.perf_counter() - t)
            size = len(result["t"]) if isinstance(result, dict) else (
                len(result) if isinstance(result, list) else result)
            print(f"{label:<28} best {min(times) * 1000:7.1f} ms  median "
                  f"{sorted(times)[2] * 1000:7.1f} ms  ({size})")


if __name__ == "__main__":
    main()
