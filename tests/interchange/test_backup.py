"""Backup and restore: every table and media file comes back, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from catalog import create_app
from catalog.extensions import db
from catalog.interchange.backup import BackupError, _kind, backup, encode, restore
from tests import conftest as base
from tests.conftest import BACKENDS, drop_pg_database, make_database_url
from tests.interchange.conftest import load_tate


def snapshot(app: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, encoded the backup's way (comparable across databases)."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            pk = list(table.primary_key.columns) or list(table.columns)
            rows = db.session.execute(sa.select(table).order_by(*pk)).mappings()
            tables[table.name] = [{c.name: encode(_kind(c), row[c.name]) for c in table.columns}
                                  for row in rows]
        db.session.remove()
        return tables


def media(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def populated(app: Any, committed_db: Any) -> Any:
    """A small real catalogue: objects, makers, locations, moves, users, tokens, audit, media."""
    from catalog.core.audit import acting_as
    from catalog.locations.models import Location
    from catalog.locations.services import move_objects
    from catalog.users.services import create_token, create_user

    session = committed_db
    user = create_user(session, email="registrar@example.org", password="correct-horse-battery",
                       role_codes=["registrar"])
    create_token(session, user, name="backup test")
    with acting_as(user):
        objects = load_tate(session, 25)
        site = Location(code="SITE", name="Main site", kind="site")
        # A parent created after its child: the restore must cope with the forward reference.
        box = Location(code="BOX-1", name="Box 1", kind="box", is_container=True)
        session.add_all([site, box])
        session.flush()
        shelf = Location(code="SITE-SHELF", name="Shelf", kind="shelf", parent=site)
        session.add(shelf)
        session.flush()
        box.parent = shelf
        move_objects(session, objects=objects[:5], to_location=box, actor=user, reason="store")
    session.commit()
    root = Path(app.config["MEDIA_DIR"])
    (root / "images" / "ab").mkdir(parents=True)
    (root / "images" / "ab" / "photo.jpg").write_bytes(bytes(range(256)) * 40)
    (root / "notes.txt").write_text("Condition photo notes, ünïcode.", encoding="utf-8")
    yield app
    for path in sorted(root.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


@pytest.fixture
def empty_instance(tmp_path: Path) -> Iterator[Callable[[str], Any]]:
    """Factory of fresh apps on an empty database of the given backend."""
    made: list[tuple[Any, str, str]] = []

    def factory(backend: str, *, upgraded: bool = False) -> Any:
        folder = tmp_path / f"target-{len(made)}"
        folder.mkdir()
        url = make_database_url(backend, folder)
        target = create_app(base.test_config(url, folder))
        made.append((target, url, backend))
        if upgraded:
            with target.app_context():
                from catalog.core.migrations import upgrade

                upgrade()
                db.session.remove()
        return target

    yield factory
    for target, url, backend in made:
        with target.app_context():
            db.session.remove()
            db.engine.dispose()
        if backend == "postgresql":
            drop_pg_database(url)


def _restore_into(target: Any, archive: Path) -> dict[str, Any]:
    with target.app_context():
        return restore(archive)


@pytest.mark.slow
def test_backup_restores_every_table_and_file(populated: Any, empty_instance: Any,
                                              backend: str, tmp_path: Path) -> None:
    archive = tmp_path / "catalog.tar.gz"
    with populated.app_context():
        manifest = backup(archive)
    assert manifest["tables"]["objects"] == 25
    # The session's media folder also holds other tests' files; these two are this test's.
    assert {"images/ab/photo.jpg", "notes.txt"} <= set(manifest["media"])
    with tarfile.open(archive) as tar:
        assert tar.getnames()[0] == "manifest.json"

    before = snapshot(populated)
    for table in ("audit_log", "movements", "api_tokens", "object_makers", "locations"):
        assert before[table], table
    targets = [empty_instance(backend), empty_instance(backend, upgraded=True)]
    if backend == "sqlite" and "postgresql" in BACKENDS:
        targets.append(empty_instance("postgresql"))  # SQLite → PostgreSQL
    for target in targets:
        _restore_into(target, archive)
        assert snapshot(target) == before
        assert media(Path(target.config["MEDIA_DIR"])) == media(
            Path(populated.config["MEDIA_DIR"]))
        with target.app_context():
            if db.engine.dialect.name == "sqlite":
                # The full-text index (not a table of the metadata) is rebuilt by its triggers.
                hits = db.session.execute(sa.text(
                    "SELECT count(*) FROM objects_fts WHERE objects_fts MATCH 'Blake'")).scalar()
                assert hits == sum("Blake" in (o["search_text"] or "") for o in before["objects"])
                assert hits > 0
            # New records continue after the restored ids (PostgreSQL sequences were reset).
            from catalog.parties.models import Party

            party = Party(name="After restore", sort_name="After restore")
            db.session.add(party)
            db.session.commit()
            assert party.id > max(row["id"] for row in before["parties"])
            db.session.remove()


def test_restore_refuses_what_it_must(populated: Any, empty_instance: Any, backend: str,
                                      tmp_path: Path) -> None:
    archive = tmp_path / "catalog.tar.gz"
    with populated.app_context():
        backup(archive)
        # Into itself: not empty.
        with pytest.raises(BackupError, match="not empty"):
            restore(archive)

    target = empty_instance(backend, upgraded=True)
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None)
                   for m in tar.getmembers()]

    def rewrite(name: str, change: Callable[[str, bytes], bytes]) -> Path:
        out = tmp_path / name
        with tarfile.open(out, "w:gz") as tar:
            for member, original in members:
                data = change(member.name, original)
                member.size = len(data)
                tar.addfile(member, io.BytesIO(data))
        return out

    def other_revision(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["revision"] = "0001"
        return json.dumps(manifest).encode()

    def damaged(name: str, data: bytes) -> bytes:
        return data.replace(b"Tate", b"Tata") if name == "tables/objects.jsonl" else data

    with target.app_context():
        with pytest.raises(BackupError, match="revision 0001"):
            restore(rewrite("old.tar.gz", other_revision))
        with pytest.raises(BackupError, match="damaged"):
            restore(rewrite("damaged.tar.gz", damaged))
        # Nothing was half-written: the failed restores left the instance empty.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(
            db.metadata.tables["objects"])) == 0
        assert not list(Path(target.config["MEDIA_DIR"]).rglob("*.jpg"))
        not_a_backup = tmp_path / "x.tar.gz"
        not_a_backup.write_bytes(b"hello")
        with pytest.raises(BackupError, match="not a Catalog backup"):
            restore(not_a_backup)
        db.session.remove()
    # After the refusals, the real archive still restores.
    _restore_into(target, archive)
    assert snapshot(target) == snapshot(populated)


def test_cli_backup_and_restore(populated: Any, empty_instance: Any, backend: str,
                                tmp_path: Path) -> None:
    archive = tmp_path / "cli.tar.gz"
    result = populated.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    target = empty_instance(backend)
    # The CLI runs in the current app context: the source's is open (committed_db).
    with target.app_context():
        restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert restored.exit_code == 0, restored.output
        assert "Restored" in restored.output
        again = target.test_cli_runner().invoke(args=["restore", str(archive)])
        assert again.exit_code == 1
        assert again.output.count("\n") == 1
        assert "not empty" in again.output
        db.session.remove()
    missing = populated.test_cli_runner().invoke(args=["backup", str(tmp_path / "no" / "x.tgz")])
    assert missing.exit_code == 1
    assert "does not exist" in missing.output


def test_backup_while_the_app_writes_is_a_consistent_snapshot(populated: Any,
                                                               tmp_path: Path) -> None:
    """Parties are created (each with its audit row, in one transaction) while the backup
    runs; the snapshot holds every party it holds together with its audit row, or neither."""
    import threading

    from catalog.parties.models import Party

    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        with populated.app_context():
            while not stop.is_set():
                party = Party(name=f"Writer {len(written)}", sort_name="Writer")
                db.session.add(party)
                db.session.commit()
                written.append(party.id)
            db.session.remove()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 3:
            stop.wait(0.01)
        archive = tmp_path / "live.tar.gz"
        with populated.app_context():
            backup(archive)
    finally:
        stop.set()
        thread.join(30)
    assert len(written) > 3
    with tarfile.open(archive) as tar:
        def rows(table: str) -> list[dict[str, Any]]:
            data = tar.extractfile(f"tables/{table}.jsonl").read().decode()
            return [json.loads(line) for line in data.splitlines()]

        parties = {str(p["id"]) for p in rows("parties")}
        logged = {a["record_id"] for a in rows("audit_log")
                  if a["record_type"] == "parties" and a["action"] == "insert"}
    assert parties == logged
    assert any(str(i) in parties for i in written)
