"""The search index in raw SQL, per backend, for migrations and ``catalog search reindex``.

SQLite: two external-content FTS5 tables over ``objects`` (words; trigrams of the normalised number
for partial numbers) kept in sync by triggers, so Core bulk inserts are indexed too.
PostgreSQL: an expression GIN index for words and a pg_trgm index for partial numbers; no trigger.

IMPORTANT for migrations: on SQLite ``batch_alter_table('objects')`` rebuilds the table and DROPS
its triggers. A migration that does so must end with ``ensure_search_index(op.get_bind())``
(tests/search/test_index.py fails at head when the triggers are missing).
"""

from __future__ import annotations

from typing import Any

SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS objects_fts USING fts5(
        object_number, title, search_text, content='objects', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS objects_number_fts USING fts5(
        number_key, content='objects', content_rowid='id', tokenize='trigram')""",
    """CREATE TRIGGER IF NOT EXISTS objects_fts_ai AFTER INSERT ON objects BEGIN
        INSERT INTO objects_fts(rowid, object_number, title, search_text)
        VALUES (new.id, new.object_number, new.title, new.search_text);
        INSERT INTO objects_number_fts(rowid, number_key) VALUES (new.id, new.number_key);
    END""",
    """CREATE TRIGGER IF NOT EXISTS objects_fts_ad AFTER DELETE ON objects BEGIN
        INSERT INTO objects_fts(objects_fts, rowid, object_number, title, search_text)
        VALUES ('delete', old.id, old.object_number, old.title, old.search_text);
        INSERT INTO objects_number_fts(objects_number_fts, rowid, number_key)
        VALUES ('delete', old.id, old.number_key);
    END""",
    """CREATE TRIGGER IF NOT EXISTS objects_fts_au
    AFTER UPDATE OF object_number, title, search_text, number_key ON objects BEGIN
        INSERT INTO objects_fts(objects_fts, rowid, object_number, title, search_text)
        VALUES ('delete', old.id, old.object_number, old.title, old.search_text);
        INSERT INTO objects_number_fts(objects_number_fts, rowid, number_key)
        VALUES ('delete', old.id, old.number_key);
        INSERT INTO objects_fts(rowid, object_number, title, search_text)
        VALUES (new.id, new.object_number, new.title, new.search_text);
        INSERT INTO objects_number_fts(rowid, number_key) VALUES (new.id, new.number_key);
    END""",
    "INSERT INTO objects_fts(objects_fts) VALUES ('rebuild')",
    "INSERT INTO objects_number_fts(objects_number_fts) VALUES ('rebuild')",
]

PG_INDEX = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE INDEX IF NOT EXISTS ix_objects_search_tsv ON objects USING gin (
        to_tsvector('simple'::regconfig, coalesce(object_number, '') || ' ' || coalesce(title, '')
                    || ' ' || coalesce(search_text, '')))""",
    "CREATE INDEX IF NOT EXISTS ix_objects_number_trgm ON objects USING gin "
    "(number_key gin_trgm_ops)",
]


def ensure_search_index(bind: Any) -> None:
    """Create whatever part of the search index is missing, and rebuild the SQLite FTS tables."""
    statements = {"sqlite": SQLITE_INDEX, "postgresql": PG_INDEX}.get(bind.dialect.name, [])
    for statement in statements:
        bind.exec_driver_sql(statement)
