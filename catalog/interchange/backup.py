"""``catalog backup FILE`` and ``catalog restore FILE``: a consistent, database-agnostic snapshot.

The archive is a ``.tar.gz`` with, in this order:

- ``manifest.json``: format version, schema (Alembic) revision, source dialect, row counts, and
  the SHA-256 of every other member;
- ``tables/<table>.jsonl``: every table in metadata (foreign-key) order, one JSON object per row,
  with type-aware encoding (datetimes and dates ISO 8601, bytes base64, decimals as strings);
- ``media/<path>``: the files under ``MEDIA_DIR``.

Backup reads every table in ONE read-only transaction (SERIALIZABLE READ ONLY DEFERRABLE on
PostgreSQL — a snapshot that never blocks writers nor fails; a deferred read transaction on SQLite
in WAL mode — likewise), so the app can keep running. Media files are hard-linked (or copied) into
a staging folder right after the snapshot; files are written once and never changed in place, so
every file the snapshot refers to is there.

Restore goes into an EMPTY instance: a database with no tables (it is migrated to the backup's
revision first) or one just set up with ``catalog db upgrade`` (only the seed rows of the
migrations: permission catalogue, starter vocabularies, number schemes — replaced by the
backup's); anything else is refused. The schema revision must match. Rows are inserted in one
transaction (append-only tables only refuse UPDATE and DELETE, so their triggers do not
interfere); media files are checked against the manifest and moved into place only once the
database has committed. PostgreSQL sequences are moved past the restored ids.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import uuid
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app

from catalog.core.db import utcnow
from catalog.core.errors import DomainError
from catalog.extensions import db

FORMAT = "catalog-backup"
VERSION = 1
#: tables that hold the museum's own data: a database with rows in them is not empty
USER_DATA_TABLES = ("users", "objects", "parties", "locations")
BATCH = 1000


class BackupError(DomainError):
    """A backup or restore that cannot go ahead (one-line message for the CLI)."""


# Type-aware encoding --------------------------------------------------------------------------
def _kind(column: sa.Column[Any]) -> str:
    column_type: Any = column.type
    if isinstance(column_type, sa.types.TypeDecorator):
        column_type = column_type.impl_instance
    for kind, classes in (("json", (sa.JSON,)), ("datetime", (sa.DateTime,)),
                          ("date", (sa.Date,)), ("time", (sa.Time,)),
                          ("interval", (sa.Interval,)), ("bytes", (sa.LargeBinary,)),
                          ("uuid", (sa.Uuid,))):
        if isinstance(column_type, classes):
            return kind
    if isinstance(column_type, sa.Numeric) and not isinstance(column_type, sa.Float):
        return "decimal"
    return "plain"


def encode(kind: str, value: Any) -> Any:
    if value is None or kind in ("plain", "json"):
        return value
    if kind in ("datetime", "date", "time"):
        return value.isoformat()
    if kind == "bytes":
        return base64.b64encode(value).decode()
    if kind == "interval":
        return value.total_seconds()
    return str(value)  # decimal, uuid


def decode(kind: str, value: Any) -> Any:
    if value is None or kind in ("plain", "json"):
        return value
    if kind == "datetime":
        return datetime.fromisoformat(value)
    if kind == "date":
        return date.fromisoformat(value)
    if kind == "time":
        return time.fromisoformat(value)
    if kind == "bytes":
        return base64.b64decode(value)
    if kind == "interval":
        return timedelta(seconds=value)
    if kind == "uuid":
        return uuid.UUID(value)
    return Decimal(value)


def _ordered_tables() -> tuple[list[sa.Table], set[tuple[str, str]]]:
    """Tables parents-first, and the (table, column) pairs that close a foreign-key cycle."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        pairs = sa.schema.sort_tables_and_constraints(db.metadata.tables.values())
    tables, cyclic = [], set()
    for table, constraints in pairs:
        if table is not None:
            tables.append(table)
        else:
            for constraint in constraints:
                cyclic |= {(constraint.table.name, c.name) for c in constraint.columns}
    return tables, cyclic


def _primary_key(table: sa.Table) -> list[sa.Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


# Backup ---------------------------------------------------------------------------------------
@contextlib.contextmanager
def _snapshot_connection() -> Iterator[sa.Connection]:
    """A connection inside one read-only, consistent transaction that does not block writers."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        # Our own engine: the app's begins IMMEDIATE (a write lock) outside requests.
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None
            dbapi_connection.execute("PRAGMA busy_timeout=30000")

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN DEFERRED")

        try:
            with engine.connect() as connection, connection.begin():
                yield connection
        finally:
            engine.dispose()
        return
    with db.engine.connect() as plain:
        snapshot = plain.execution_options(
            isolation_level="SERIALIZABLE", postgresql_readonly=True,
            postgresql_deferrable=True)
        with snapshot.begin():
            yield snapshot


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _media_dir() -> Path:
    return Path(current_app.config["MEDIA_DIR"])


def _media_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())


def backup(target: Path) -> dict[str, Any]:
    """Write a backup archive to ``target`` (atomically); returns its manifest."""
    if not target.parent.is_dir():
        raise BackupError(f"The folder {target.parent} does not exist.")
    tables, _ = _ordered_tables()
    staging = Path(tempfile.mkdtemp(prefix=".catalog-backup-", dir=target.parent))
    try:
        manifest: dict[str, Any] = {"format": FORMAT, "version": VERSION,
                                    "created_at": utcnow().isoformat(),
                                    "dialect": db.engine.dialect.name,
                                    "tables": {}, "files": {}, "media": {}}
        (staging / "tables").mkdir()
        with _snapshot_connection() as connection:
            manifest["revision"] = connection.execute(
                sa.text("SELECT version_num FROM alembic_version")).scalar()
            for table in tables:
                manifest["tables"][table.name] = _dump_table(
                    connection, table, staging / "tables" / f"{table.name}.jsonl")
        media_root = _media_dir()
        for path in _media_files(media_root):
            relative = path.relative_to(media_root).as_posix()
            copy = staging / "media" / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, copy)
            except OSError:
                try:
                    shutil.copy2(path, copy)
                except FileNotFoundError:
                    continue  # removed since the listing: not part of the snapshot
            manifest["media"][relative] = {"sha256": _sha256(copy), "size": copy.stat().st_size}
        for table in tables:
            member = f"tables/{table.name}.jsonl"
            manifest["files"][member] = _sha256(staging / member)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                data = json.dumps(manifest, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo("manifest.json")
                info.size, info.mtime = len(data), int(datetime.now(UTC).timestamp())
                archive.addfile(info, io.BytesIO(data))
                for table in tables:
                    archive.add(staging / "tables" / f"{table.name}.jsonl",
                                arcname=f"tables/{table.name}.jsonl")
                for relative in manifest["media"]:
                    archive.add(staging / "media" / relative, arcname=f"media/{relative}")
            Path(tmp_name).replace(target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _dump_table(connection: sa.Connection, table: sa.Table, path: Path) -> int:
    kinds = [(column.name, _kind(column)) for column in table.columns]
    stmt = sa.select(table).order_by(*_primary_key(table))
    count = 0
    with path.open("w", encoding="utf-8") as out:
        result = connection.execution_options(stream_results=True, max_row_buffer=BATCH)
        for row in result.execute(stmt).mappings():
            record = {name: encode(kind, row[name]) for name, kind in kinds}
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


# Restore --------------------------------------------------------------------------------------
class _HashingReader(io.RawIOBase):
    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _database_state(connection: sa.Connection) -> tuple[str | None, list[str]]:
    """The schema revision (None: no schema yet) and the tables holding the museum's own data.

    A database set up by the migrations and ``catalog db upgrade`` already holds seed rows
    (permission catalogue, starter vocabularies, number schemes); those are not the museum's
    data and are replaced by the backup's. Users, objects, parties and locations, or any change
    a person made (an audit row with an actor), are.
    """
    names = set(sa.inspect(connection).get_table_names())
    if "alembic_version" not in names:
        if names & set(db.metadata.tables):
            raise BackupError("This database has tables but no schema revision; "
                              "restore into an empty database.")
        return None, []
    revision = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    busy = []
    for name in (*USER_DATA_TABLES, "audit_log"):
        table = db.metadata.tables.get(name)
        if table is None or name not in names:
            continue
        stmt = sa.select(sa.literal(1)).select_from(table).limit(1)
        if name == "audit_log":
            stmt = stmt.where(table.c.actor_id.is_not(None))
        if connection.execute(stmt).first() is not None:
            busy.append(name)
    return revision, busy


def _clear_seed_rows(connection: sa.Connection, tables: list[sa.Table],
                     cyclic: set[tuple[str, str]]) -> None:
    """Remove the seed rows the migrations wrote: the backup holds the museum's versions."""
    filled = [t for t in reversed(tables)
              if connection.execute(sa.select(sa.literal(1)).select_from(t).limit(1)).first()]
    for table in filled:
        # Append-only tables (the audit trail) refuse DELETE by trigger; their seed rows go
        # with the seeds they describe, inside this transaction, and the guard is back before
        # it commits.
        with _triggers_off(connection, table):
            late = [table.c[name] for (tname, name) in cyclic if tname == table.name]
            if late:
                connection.execute(table.update().values(dict.fromkeys(late)))
            connection.execute(table.delete())


@contextlib.contextmanager
def _triggers_off(connection: sa.Connection, table: sa.Table) -> Iterator[None]:
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f'ALTER TABLE "{table.name}" DISABLE TRIGGER USER')
        yield
        connection.exec_driver_sql(f'ALTER TABLE "{table.name}" ENABLE TRIGGER USER')
        return
    triggers = connection.execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name=:t"),
        {"t": table.name}).fetchall()
    for name, _ in triggers:
        connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    yield
    for _, sql in triggers:
        connection.exec_driver_sql(sql)


def _safe_member(name: str, prefix: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or path.parts[0] != prefix or len(path.parts) < 2:
        raise BackupError(f"The archive holds an unexpected member {name!r}.")
    return PurePosixPath(*path.parts[1:])


def restore(source: Path) -> dict[str, Any]:
    """Restore the archive at ``source`` into this empty instance; returns its manifest."""
    from alembic import command

    from catalog.core.migrations import alembic_config

    media_root = _media_dir()
    if _media_files(media_root):
        raise BackupError(f"The media folder {media_root} is not empty; restore into an "
                          "empty instance.")
    try:
        archive = tarfile.open(source, mode="r|gz")  # noqa: SIM115 - closed by the with below
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{source} is not a Catalog backup ({exc}).") from None
    staging: Path | None = None
    with archive:
        members = iter(archive)
        manifest = _read_manifest(archive, next(members, None), source)
        with db.engine.connect() as probe:
            revision, busy = _database_state(probe)
            probe.rollback()
        if busy:
            raise BackupError(f"This database is not empty (the table {busy[0]} has rows); "
                              "restore into an empty instance.")
        if revision is None:
            _migrate_to(command, alembic_config(), manifest["revision"])
        elif revision != manifest["revision"]:
            raise BackupError(f"The backup is of schema revision {manifest['revision']}, this "
                              f"database is at {revision}; both must be the same.")
        tables, cyclic = _ordered_tables()
        try:
            with db.engine.begin() as connection:
                _clear_seed_rows(connection, tables, cyclic)
                for table in tables:
                    member = next(members, None)
                    expected = f"tables/{table.name}.jsonl"
                    if member is None or member.name != expected:
                        raise BackupError(f"The backup has no {expected} where expected.")
                    _load_table(connection, archive, member, table, cyclic, manifest)
                staging = _stage_media(archive, members, manifest, media_root)
                if connection.dialect.name == "postgresql":
                    _reset_sequences(connection, tables)
        except (sa.exc.IntegrityError, sa.exc.DataError) as exc:
            raise BackupError(f"The database refused a row of the backup: {exc.orig}") from None
    if staging is not None:
        _move_media(staging, media_root)
    db.session.remove()
    return manifest


def _migrate_to(command: Any, config: Any, revision: str) -> None:
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except Exception:
        raise BackupError(f"The backup is of schema revision {revision}, which this version "
                          "of Catalog does not know.") from None
    command.upgrade(config, revision)


def _read_manifest(archive: tarfile.TarFile, member: tarfile.TarInfo | None,
                   source: Path) -> dict[str, Any]:
    handle = archive.extractfile(member) if member and member.name == "manifest.json" else None
    try:
        manifest = json.loads(handle.read()) if handle else None
    except ValueError:
        manifest = None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source} is not a Catalog backup (no manifest).")
    if manifest.get("version") != VERSION:
        raise BackupError(f"{source} is a backup of format {manifest.get('version')}; "
                          f"this version of Catalog reads format {VERSION}.")
    return manifest


def _load_table(connection: sa.Connection, archive: tarfile.TarFile, member: tarfile.TarInfo,
                table: sa.Table, cyclic: set[tuple[str, str]], manifest: dict[str, Any]) -> None:
    kinds = {column.name: _kind(column) for column in table.columns}
    pk = _primary_key(table)
    # Rows pointing at rows not inserted yet (a later id in the same table, or a foreign-key
    # cycle) get that column NULL first and set once every row is in.
    self_refs = [fk.parent.name for fk in table.foreign_keys
                 if fk.column.table is table and len(pk) == 1]
    late = [name for (tname, name) in cyclic if tname == table.name]
    pending: list[dict[str, Any]] = []
    reader = _HashingReader(archive.extractfile(member))  # type: ignore[arg-type]
    batch: list[dict[str, Any]] = []
    count = 0
    for line in io.TextIOWrapper(io.BufferedReader(reader), encoding="utf-8"):
        raw = json.loads(line)
        if set(raw) != set(kinds):
            raise BackupError(f"The rows of {table.name} do not match this schema.")
        row = {name: decode(kinds[name], value) for name, value in raw.items()}
        deferred = {name: row[name] for name in late if row[name] is not None}
        deferred |= {name: row[name] for name in self_refs
                     if row[name] is not None and row[name] >= row[pk[0].name]}
        if deferred:
            # Columns with an onupdate default (updated_at) keep their restored value.
            kept = {c.name: row[c.name] for c in table.columns if c.onupdate is not None}
            pending.append({**{f"pk_{c.name}": row[c.name] for c in pk}, **kept, **deferred})
            row.update(dict.fromkeys(deferred))
        batch.append(row)
        count += 1
        if len(batch) >= BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    if reader.digest.hexdigest() != manifest["files"].get(member.name):
        raise BackupError(f"{member.name} is damaged (checksum mismatch).")
    if count != manifest["tables"].get(table.name):
        raise BackupError(f"{member.name} has {count} rows; the manifest says "
                          f"{manifest['tables'].get(table.name)}.")
    for values in pending:
        where = [c == values[f"pk_{c.name}"] for c in pk]
        connection.execute(table.update().where(*where).values(
            {k: v for k, v in values.items() if not k.startswith("pk_")}))


def _stage_media(archive: tarfile.TarFile, members: Iterator[tarfile.TarInfo],
                 manifest: dict[str, Any], media_root: Path) -> Path | None:
    expected = dict(manifest["media"])
    if not expected:
        return None
    media_root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".catalog-restore-", dir=media_root.parent))
    try:
        for member in members:
            _stage_file(archive, member, staging, expected)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if expected:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(f"The media file {next(iter(expected))} is missing from the backup.")
    return staging


def _stage_file(archive: tarfile.TarFile, member: tarfile.TarInfo, staging: Path,
                expected: dict[str, Any]) -> None:
    relative = _safe_member(member.name, "media").as_posix()
    if not member.isfile() or relative not in expected:
        raise BackupError(f"The archive holds an unexpected member {member.name!r}.")
    target = staging / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    reader = _HashingReader(archive.extractfile(member))  # type: ignore[arg-type]
    with target.open("wb") as out:
        shutil.copyfileobj(reader, out)
    if reader.digest.hexdigest() != expected.pop(relative)["sha256"]:
        raise BackupError(f"The media file {relative} is damaged (checksum mismatch).")


def _move_media(staging: Path, media_root: Path) -> None:
    media_root.mkdir(parents=True, exist_ok=True)
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        target = media_root / path.relative_to(staging)
        target.parent.mkdir(parents=True, exist_ok=True)
        path.replace(target)
    shutil.rmtree(staging, ignore_errors=True)


def _reset_sequences(connection: sa.Connection, tables: list[sa.Table]) -> None:
    """Move each serial / identity sequence past the restored ids (PostgreSQL)."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
            continue
        sequence = connection.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": table.name, "c": pk[0].name}).scalar()
        if sequence:
            highest = sa.select(sa.func.max(pk[0])).scalar_subquery()
            connection.execute(sa.select(sa.func.setval(
                sequence, sa.func.coalesce(highest, 1), highest.is_not(None))))
