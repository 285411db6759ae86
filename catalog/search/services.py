"""Searching the catalogue: one box, facets, sort, keyset pages, selections, saved searches.

How a query string ``q`` matches (ranked in this order, then by object number):

0. the object number, exactly (case, spaces and dash variants ignored);
1. the start of an object number (``T038`` finds ``T03868``);
2. any part of an object number of three characters or more (``3868``) — SQLite: an FTS5
   trigram index; PostgreSQL: a pg_trgm GIN index;
3. every word (as a word prefix) in the number, title, makers, description, keywords … —
   SQLite: FTS5; PostgreSQL: ``to_tsvector`` with a GIN expression index.
"""

from __future__ import annotations

import base64
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import ValidationError
from catalog.imports.parsing import normalise_number
from catalog.objects.models import OBJECT_STATUSES, CatalogueObject, ObjectMaker
from catalog.parties.models import Party
from catalog.search.models import SavedSearch, SelectedObject

objects = CatalogueObject.__table__

SORTS = {"relevance": "Relevance", "number": "Object number", "title": "Title",
         "date": "Date (earliest first)"}
FACETS = {"object_name": "Object name", "department": "Department", "status": "Status",
          "maker": "Maker", "century": "Century", "decade": "Decade", "location": "Location"}
PER_PAGE = 50
FACET_SIZE = 12
#: the PostgreSQL text-search document; the same expression as the GIN index (migration 0350)
PG_DOCUMENT = ("to_tsvector('simple'::regconfig, coalesce(objects.object_number, '') || ' ' || "
               "coalesce(objects.title, '') || ' ' || coalesce(objects.search_text, ''))")
_WORDS = re.compile(r"\w+", re.UNICODE)


@dataclass
class SearchParams:
    """What the user asked for: words, facet filters, sort, and where the page starts."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    after: str | None = None
    per_page: int = PER_PAGE

    @classmethod
    def from_args(cls, args: Any) -> SearchParams:
        filters = {name: [v for v in args.getlist(name) if v] for name in FACETS}
        sort = args.get("sort") or "relevance"
        return cls(q=(args.get("q") or "").strip()[:200],
                   filters={k: v for k, v in filters.items() if v},
                   sort=sort if sort in SORTS else "relevance", after=args.get("after") or None)

    def query_items(self, *, without: tuple[str, str] | None = None,
                    add: tuple[str, str] | None = None, sort: str | None = None,
                    after: str | None = None) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name, values in self.filters.items():
            items.extend((name, v) for v in values if (name, v) != without)
        if add and add not in items:
            items.append(add)
        chosen = sort or self.sort
        if chosen != "relevance":
            items.append(("sort", chosen))
        if after:
            items.append(("after", after))
        return items

    def url_query(self, **kw: Any) -> str:
        return urlencode(self.query_items(**kw))


@dataclass
class Hit:
    id: int
    object_number: str
    title: str | None
    object_name: str | None
    production_date: str | None
    department: str | None
    status: str
    makers: list[str]
    rank: int


@dataclass
class SearchResult:
    params: SearchParams
    total: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, str, int]]]
    next_after: str | None


# ----------------------------------------------------------------------------------- matching

def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def match_query(session: Session, q: str) -> sa.Select[Any] | None:
    """SELECT (id, rank) of the objects matching ``q``; None when ``q`` is empty."""
    key = normalise_number(q)
    words = _WORDS.findall(q.lower())
    if not key and not words:
        return None
    dialect = session.get_bind().dialect.name
    c = objects.c
    parts: list[sa.Select[Any]] = [sa.select(c.id, sa.literal(0).label("rank"))
                                   .where(c.number_key == key)]
    # A whole number that exists needs no search inside other numbers (the costliest part).
    inside = len(key) >= 3 and session.scalar(
        sa.select(c.id).where(c.number_key == key).limit(1)) is None
    if dialect == "postgresql":
        parts.append(sa.select(c.id, sa.literal(1).label("rank"))
                     .where(c.number_key.like(_escape_like(key) + "%", escape="\\")))
        if inside:
            parts.append(sa.select(c.id, sa.literal(2).label("rank"))
                         .where(c.number_key.like("%" + _escape_like(key) + "%", escape="\\")))
        if words:
            tsquery = " & ".join(f"{w}:*" for w in words[:12])
            parts.append(sa.select(c.id, sa.literal(3).label("rank")).where(
                sa.text(f"{PG_DOCUMENT} @@ to_tsquery('simple'::regconfig, :tsq)")
                .bindparams(tsq=tsquery)))
    else:
        # A range on the unique index finds prefixes on SQLite (LIKE would not use it).
        parts.append(sa.select(c.id, sa.literal(1).label("rank"))
                     .where(c.number_key > key, c.number_key < key + "\U0010ffff"))
        if inside:
            phrase = '"' + key.replace('"', '""') + '"'
            parts.append(sa.select(sa.column("rowid").label("id"), sa.literal(2).label("rank"))
                         .select_from(sa.table("objects_number_fts"))
                         .where(sa.text("objects_number_fts MATCH :num").bindparams(num=phrase)))
        if words:
            fts = " ".join('"' + w.replace('"', '""') + '"*' for w in words[:12])
            parts.append(sa.select(sa.column("rowid").label("id"), sa.literal(3).label("rank"))
                         .select_from(sa.table("objects_fts"))
                         .where(sa.text("objects_fts MATCH :fts").bindparams(fts=fts)))
    union = sa.union_all(*parts).subquery("m")
    return (sa.select(union.c.id, sa.func.min(union.c.rank).label("rank"))
            .group_by(union.c.id))


def _filtered(session: Session, params: SearchParams) -> tuple[sa.Select[Any], Any]:
    """SELECT of matching objects (objects.* columns and a rank) with the facet filters."""
    match = match_query(session, params.q)
    if match is not None:
        m = match.subquery("matches")
        rank: Any = m.c.rank
        query = sa.select(objects, rank.label("rank")).join(m, m.c.id == objects.c.id)
    else:
        rank = sa.literal(0)
        query = sa.select(objects, rank.label("rank"))
    c = objects.c
    f = params.filters
    for name, column in (("object_name", c.object_name), ("department", c.department),
                         ("status", c.status)):
        if name in f:
            query = query.where(column.in_(f[name]))
    if "maker" in f:
        ids = [int(v) for v in f["maker"] if v.isdigit()]
        query = query.where(sa.exists().where(ObjectMaker.object_id == c.id,
                                              ObjectMaker.party_id.in_(ids)))
    if "location" in f:
        ids = [int(v) for v in f["location"] if v.isdigit()]
        query = query.where(c.current_location_id.in_(ids))
    for name, width in (("century", 100), ("decade", 10)):
        if name in f:
            starts = [int(v) for v in f[name] if v.lstrip("-").isdigit()]
            query = query.where(sa.or_(*[c.earliest_year.between(s, s + width - 1)
                                         for s in starts]) if starts else sa.false())
    return query, rank


# ----------------------------------------------------------------------------------- sorting

def _sort_columns(params: SearchParams, rank: Any) -> list[Any]:
    c = objects.c
    if params.sort == "title":
        return [sa.func.coalesce(sa.func.lower(c.title), ""), c.id]
    if params.sort == "date":
        return [sa.func.coalesce(c.earliest_year, 99_999), c.sort_key, c.id]
    if params.sort == "relevance" and params.q:
        return [rank, c.sort_key, c.id]
    return [c.sort_key, c.id]


def _encode(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode(token: str, size: int) -> list[Any] | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (ValueError, TypeError):
        return None
    if not isinstance(values, list) or len(values) != size or not all(
            isinstance(v, int | str) for v in values):
        return None
    return values


# ------------------------------------------------------------------------------------ search

#: the hits of the current search, materialised once per request so that the count, the facets
#: and the page do not each run the full-text match again (a temporary table: per connection,
#: never in the schema, emptied before each use)
_hits_metadata = sa.MetaData()
hits = sa.Table("search_hits", _hits_metadata,
                sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
                sa.Column("rank", sa.Integer, nullable=False),
                prefixes=["TEMPORARY"])


def _materialise(session: Session, query: sa.Select[Any]) -> None:
    session.execute(sa.text("CREATE TEMPORARY TABLE IF NOT EXISTS search_hits "
                            "(id INTEGER PRIMARY KEY, rank INTEGER NOT NULL)"))
    session.execute(sa.delete(hits))
    found = query.subquery("found")
    session.execute(sa.insert(hits).from_select(["id", "rank"],
                                                sa.select(found.c.id, found.c.rank)))
    if session.get_bind().dialect.name == "postgresql":
        # Autovacuum never analyses temporary tables; without statistics the planner guesses
        # thousands of hits and scans object_makers whole even for one hit.
        session.execute(sa.text("ANALYZE search_hits"))


def search(session: Session, params: SearchParams, *, with_facets: bool = True) -> SearchResult:
    """One page of results, the total, and the facet counts over the whole result set."""
    narrowed = bool(params.q or params.filters)
    if session.get_bind().dialect.name == "postgresql":
        # Short interactive queries: parallel workers cost more to start than they save.
        session.execute(sa.text("SET LOCAL max_parallel_workers_per_gather = 0"))
    if narrowed:
        query, _ = _filtered(session, params)
        _materialise(session, query)
        # IN (…) rather than a join: the planner has no statistics on the temporary table and
        # would otherwise scan all objects to probe a handful of hits.
        rank: Any = (sa.select(hits.c.rank).where(hits.c.id == objects.c.id)
                     .scalar_subquery())
        source = sa.select(objects, rank.label("rank")).where(
            objects.c.id.in_(sa.select(hits.c.id)))
        total = session.scalar(sa.select(sa.func.count()).select_from(hits)) or 0
    else:
        rank = sa.literal(0)
        source = sa.select(objects, rank.label("rank"))
        total = session.scalar(sa.select(sa.func.count()).select_from(objects)) or 0
    order = _sort_columns(params, rank)
    page = source.add_columns(*[col.label(f"k{i}") for i, col in enumerate(order)])
    if params.after:
        after = _decode(params.after, len(order))
        if after is None:
            raise ValidationError("That page link is out of date; start the search again.")
        page = page.where(sa.tuple_(*order) > sa.tuple_(*after))
    rows = session.execute(page.order_by(*order).limit(params.per_page + 1)).all()
    more = len(rows) > params.per_page
    rows = rows[: params.per_page]
    makers = _makers_of(session, [r.id for r in rows])
    found = [Hit(r.id, r.object_number, r.title, r.object_name, r.production_date, r.department,
                 r.status, makers.get(r.id, []), r.rank) for r in rows]
    next_after = None
    if more and rows:
        last = rows[-1]._mapping
        next_after = _encode([last[f"k{i}"] for i in range(len(order))])
    facets: dict[str, list[tuple[str, str, int]]] = {}
    if with_facets and total:
        facets = (facet_counts(session, narrowed=True) if narrowed
                  else _whole_catalogue_facets(session))
    return SearchResult(params, total, found, facets, next_after)


#: facet counts of the whole catalogue: (catalogue version, taken at, facets)
_WHOLE_CATALOGUE: dict[str, tuple[tuple[Any, ...], float, Any]] = {}
#: the longest a cached count is trusted even when the catalogue version has not moved
FACET_CACHE_SECONDS = 60.0


def _catalogue_version(session: Session) -> tuple[Any, ...]:
    """Changes whenever the catalogue does: every ORM change writes an audit row, an import
    writes one, and new objects raise the largest id. Two index look-ups."""
    from catalog.core.audit import AuditLog

    return (session.scalar(sa.select(sa.func.max(AuditLog.id))),
            session.scalar(sa.select(sa.func.max(objects.c.id))))


def _whole_catalogue_facets(session: Session) -> dict[str, list[tuple[str, str, int]]]:
    """The browse-everything facets (six GROUP BYs over the catalogue), cached per process until
    the catalogue changes, and for at most a minute in case a change bypassed the audit trail."""
    import time

    bind = session.get_bind()
    key = str(getattr(bind, "url", None) or bind.engine.url)
    version = _catalogue_version(session)
    cached = _WHOLE_CATALOGUE.get(key)
    now = time.monotonic()
    if cached and cached[0] == version and now - cached[1] < FACET_CACHE_SECONDS:
        return cached[2]  # type: ignore[no-any-return]
    facets = facet_counts(session, narrowed=False)
    _WHOLE_CATALOGUE[key] = (version, now, facets)
    return facets


def _makers_of(session: Session, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not ids:
        return found
    for object_id, name in session.execute(
            sa.select(ObjectMaker.object_id, Party.name).join(Party)
            .where(ObjectMaker.object_id.in_(ids))
            .order_by(ObjectMaker.object_id, ObjectMaker.position)):
        found.setdefault(object_id, []).append(name)
    return found


def _pairs(rows: Any) -> dict[Any, Any]:
    return {key: value for key, value in rows}  # noqa: C416  (rows, not pairs, to dict())


def _top(counter: Counter[Any]) -> list[tuple[Any, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))[:FACET_SIZE]


def facet_counts(session: Session, *, narrowed: bool) -> dict[str, list[tuple[str, str, int]]]:
    """{facet: [(value, label, count)]}, the most frequent values first.

    Over the whole catalogue each facet is one GROUP BY on an indexed column (an index-only
    scan); over a search's hits, one pass over the hits' facet columns counted in Python.
    Years are counted per year and bucketed here, never GROUP BY an expression.
    """
    from catalog.locations.models import Location

    c = objects.c
    columns = (c.object_name, c.department, c.status, c.earliest_year, c.current_location_id)
    counters: dict[str, Counter[Any]] = {name: Counter() for name in
                                         ("object_name", "department", "status", "year",
                                          "location")}
    names = list(counters)
    if narrowed:
        for row in session.execute(sa.select(*columns).where(c.id.in_(sa.select(hits.c.id)))):
            for name, value in zip(names, row, strict=True):
                counters[name][value] += 1
        maker_rows = session.execute(
            sa.select(ObjectMaker.party_id, sa.func.count(sa.distinct(ObjectMaker.object_id)))
            .where(ObjectMaker.object_id.in_(sa.select(hits.c.id)))
            .group_by(ObjectMaker.party_id))
    else:
        for name, column in zip(names, columns, strict=True):
            counters[name].update(_pairs(session.execute(
                sa.select(column, sa.func.count()).group_by(column))))
        maker_rows = session.execute(
            sa.select(ObjectMaker.party_id, sa.func.count(sa.distinct(ObjectMaker.object_id)))
            .group_by(ObjectMaker.party_id))
    makers = Counter(_pairs(maker_rows))
    for name in ("object_name", "department", "location"):
        counters[name].pop(None, None)
    facets: dict[str, list[tuple[str, str, int]]] = {
        "object_name": [(v, v, n) for v, n in _top(counters["object_name"])],
        "department": [(v, v, n) for v, n in _top(counters["department"])],
        "status": [(v, OBJECT_STATUSES.get(v, v), n) for v, n in _top(counters["status"])],
    }
    top_makers = _top(makers)
    party_names = _pairs(session.execute(sa.select(Party.id, Party.name).where(
        Party.id.in_([pid for pid, _ in top_makers])))) if top_makers else {}
    facets["maker"] = [(str(pid), party_names.get(pid, str(pid)), n) for pid, n in top_makers]
    centuries: Counter[int] = Counter()
    decades: Counter[int] = Counter()
    for year, n in counters["year"].items():
        if year is not None:
            centuries[year // 100 * 100] += n
            decades[year // 10 * 10] += n
    facets["century"] = [(str(v), f"{v}s–{v + 99}", n) for v, n in sorted(centuries.items())]
    facets["decade"] = sorted(((str(v), f"{v}s", n) for v, n in _top(decades)),
                              key=lambda item: int(item[0]))
    top_locations = _top(counters["location"])
    location_names = _pairs(session.execute(sa.select(Location.id, Location.name).where(
        Location.id.in_([i for i, _ in top_locations])))) if top_locations else {}
    facets["location"] = [(str(i), location_names.get(i, str(i)), n) for i, n in top_locations]
    return {k: v for k, v in facets.items() if v}


def result_ids(session: Session, params: SearchParams) -> sa.Select[Any]:
    """SELECT of the ids of every object the search finds (for export and "select all")."""
    query, _ = _filtered(session, params)
    sub = query.subquery("found")
    return sa.select(sub.c.id)


def filter_label(session: Session, name: str, value: str) -> str:
    """How a chosen facet value reads on a chip ("Maker: J. M. W. Turner")."""
    if name == "maker" and value.isdigit():
        party = session.get(Party, int(value))
        return party.name if party else value
    if name == "location" and value.isdigit():
        from catalog.locations.models import Location

        location = session.get(Location, int(value))
        return location.name if location else value
    if name == "status":
        return OBJECT_STATUSES.get(value, value)
    if name == "century":
        return f"{value}s–{int(value) + 99}" if value.lstrip("-").isdigit() else value
    if name == "decade":
        return f"{value}s"
    return value


# --------------------------------------------------------------------------------- selection

def selection_count(session: Session, user: Any) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(SelectedObject)
                          .where(SelectedObject.user_id == user.id)) or 0


def selected_among(session: Session, user: Any, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(sa.select(SelectedObject.object_id).where(
        SelectedObject.user_id == user.id, SelectedObject.object_id.in_(ids))))


def selection_ids(user: Any) -> sa.Select[Any]:
    return sa.select(SelectedObject.object_id).where(SelectedObject.user_id == user.id)


def select_objects(session: Session, user: Any, ids: list[int]) -> int:
    """Add objects to the user's selection; returns how many were new."""
    ids = sorted({int(i) for i in ids})
    if not ids:
        return 0
    have = selected_among(session, user, ids)
    existing = set(session.scalars(sa.select(objects.c.id).where(objects.c.id.in_(ids))))
    new = [i for i in ids if i not in have and i in existing]
    if new:
        session.execute(sa.insert(SelectedObject), [{"user_id": user.id, "object_id": i}
                                                    for i in new])
    return len(new)


def deselect_objects(session: Session, user: Any, ids: list[int]) -> int:
    if not ids:
        return 0
    return session.execute(sa.delete(SelectedObject).where(
        SelectedObject.user_id == user.id, SelectedObject.object_id.in_(ids))).rowcount


def select_all(session: Session, user: Any, params: SearchParams) -> int:
    """Add every result of the search to the selection, in one INSERT … SELECT."""
    found = result_ids(session, params).subquery("found")
    query = sa.select(sa.literal(user.id), found.c.id).where(
        found.c.id.not_in(selection_ids(user)))
    return session.execute(sa.insert(SelectedObject).from_select(
        ["user_id", "object_id"], query)).rowcount


def clear_selection(session: Session, user: Any) -> int:
    return session.execute(sa.delete(SelectedObject)
                           .where(SelectedObject.user_id == user.id)).rowcount


# ---------------------------------------------------------------------------- saved searches

def saved_searches(session: Session, user: Any) -> list[SavedSearch]:
    return list(session.scalars(sa.select(SavedSearch).where(SavedSearch.user_id == user.id)
                                .order_by(SavedSearch.name)))


def save_search(session: Session, user: Any, *, name: str, query: str) -> SavedSearch:
    """Keep a search under a name (the same name again replaces it)."""
    name = " ".join(name.split())[:200]
    if not name:
        raise ValidationError("Give the search a name.", field="name")
    query = query.lstrip("?")[:4000]
    existing = session.scalar(sa.select(SavedSearch).where(SavedSearch.user_id == user.id,
                                                           SavedSearch.name == name))
    if existing is None:
        existing = SavedSearch(user_id=user.id, name=name, query=query)
        session.add(existing)
    else:
        existing.query = query
    session.flush()
    return existing


def delete_saved_search(session: Session, user: Any, saved_id: int) -> None:
    session.execute(sa.delete(SavedSearch).where(SavedSearch.id == saved_id,
                                                 SavedSearch.user_id == user.id))
