"""Use cases for parties: create, edit, search, merge duplicates, and what a user may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.audit import reason
from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import check, has_permission
from catalog.parties.models import PARTY_ROLES, Party, PartyRole

#: fields that are personal data: shown and exported only with parties.personal
PERSONAL_FIELDS = ("email", "phone", "address")
EDITABLE_FIELDS = ("kind", "name", "sort_name", "dates", "nationality", "email", "phone",
                   "address", "country", "notes", "authority_uri")
PARTY_KINDS = {"person": "Person", "organisation": "Organisation"}


def get_party(session: Session, party_id: int) -> Party:
    party = session.get(Party, party_id)
    if party is None:
        raise NotFoundError("There is no such person or organisation.")
    return party


def surviving(session: Session, party: Party) -> Party:
    """Follow merges to the record that now stands for ``party``."""
    seen = set()
    while party.merged_into_id is not None and party.id not in seen:
        seen.add(party.id)
        party = session.get(Party, party.merged_into_id)  # type: ignore[assignment]
    return party


def find_party_by_name(session: Session, name: str | None, *, field: str) -> Party | None:
    """The active party with exactly this name (ignoring case); None for an empty name."""
    name = " ".join((name or "").split())
    if not name:
        return None
    matches = session.scalars(
        sa.select(Party).where(sa.func.lower(Party.name) == name.lower(),
                               Party.merged_into_id.is_(None)).order_by(Party.id).limit(2)).all()
    if not matches:
        raise ValidationError(f"There is no person or organisation called “{name}”. "
                              "Add them under Parties first.", field=field)
    if len(matches) > 1:
        raise ValidationError(f"Several parties are called “{name}”; merge the duplicates or "
                              "add a distinguishing detail to the name.", field=field)
    return matches[0]


def _sort_name(kind: str, name: str) -> str:
    if kind == "person" and " " in name and "," not in name:
        first, _, last = name.rpartition(" ")
        return f"{last}, {first}"
    return name


def _apply(party: Party, fields: dict[str, Any]) -> None:
    for key, given in fields.items():
        if key not in EDITABLE_FIELDS:
            raise ValidationError(f"Unknown field {key}.")
        setattr(party, key, (given.strip() or None) if isinstance(given, str) else given)
    if party.kind not in PARTY_KINDS:
        raise ValidationError("A party is a person or an organisation.", field="kind")
    if not party.name:
        raise ValidationError("Give the name.", field="name")
    party.name = " ".join(party.name.split())
    if not party.sort_name:
        party.sort_name = _sort_name(party.kind, party.name)
    if party.country:
        party.country = party.country.upper()
        if len(party.country) != 2 or not party.country.isalpha():
            raise ValidationError("The country is a two-letter code such as GB.",
                                  field="country")
    if party.email and "@" not in party.email:
        raise ValidationError("That is not an e-mail address.", field="email")


def _set_roles(party: Party, roles: Iterable[str]) -> None:
    wanted = list(dict.fromkeys(roles))
    for role in wanted:
        if role not in PARTY_ROLES:
            raise ValidationError(f"Unknown role {role!r}.", field="roles")
    for existing in list(party.roles):
        if existing.role not in wanted:
            party.roles.remove(existing)
    for role in wanted:
        if role not in party.role_codes:
            party.roles.append(PartyRole(role=role))


def create_party(session: Session, *, actor: Any, roles: Iterable[str] = (),
                 **fields: Any) -> Party:
    """Add a person or an organisation."""
    check(actor, "parties.edit")
    if not has_permission(actor, "parties.personal"):
        # Someone who may not read contact details may not write them either.
        fields = {k: v for k, v in fields.items() if k not in PERSONAL_FIELDS}
    party = Party(kind=fields.pop("kind", "person") or "person")
    _apply(party, fields)
    _set_roles(party, roles)
    session.add(party)
    session.flush()
    return party


def update_party(session: Session, party: Party, *, actor: Any, roles: Iterable[str] | None = None,
                 **fields: Any) -> Party:
    """Change a party; personal contact details only with parties.personal."""
    check(actor, "parties.edit")
    if not has_permission(actor, "parties.personal"):
        fields = {k: v for k, v in fields.items() if k not in PERSONAL_FIELDS}
    if party.merged_into_id is not None:
        raise ValidationError("This record was merged into another; edit that one instead.")
    if "sort_name" in fields and not (fields["sort_name"] or "").strip():
        fields["sort_name"] = _sort_name(fields.get("kind") or party.kind,
                                         fields.get("name") or party.name)
    _apply(party, fields)
    if roles is not None:
        _set_roles(party, roles)
    session.flush()
    return party


def search_parties(session: Session, *, text: str | None = None, role: str | None = None,
                   limit: int = 50, offset: int = 0) -> list[Party]:
    query = sa.select(Party).where(Party.merged_into_id.is_(None))
    if text:
        like = f"%{text.strip().lower()}%"
        query = query.where(sa.or_(sa.func.lower(Party.name).like(like),
                                   sa.func.lower(Party.sort_name).like(like)))
    if role:
        query = query.where(Party.roles.any(PartyRole.role == role))
    return list(session.scalars(query.order_by(Party.sort_name, Party.id)
                                .limit(limit).offset(offset)))


def party_references() -> list[tuple[sa.Table, sa.Column[Any]]]:
    """Every column, in every table, that references ``parties.id`` — found from the metadata
    so that tables added by other domains later are covered without changes here."""
    from catalog.extensions import db

    return [(table, fk.parent) for table in db.metadata.sorted_tables
            for fk in table.foreign_keys
            if fk.column.table.name == "parties" and fk.column.name == "id"]


def _conflict_columns(table: sa.Table, column: sa.Column[Any]) -> list[list[sa.Column[Any]]]:
    """Unique keys (primary or unique) that include ``column``: repointing could collide."""
    keys = []
    if column.name in table.primary_key.columns:
        keys.append(list(table.primary_key.columns))
    keys += [list(constraint.columns) for constraint in table.constraints
             if isinstance(constraint, sa.UniqueConstraint) and column.name in constraint.columns]
    keys += [list(index.columns) for index in table.indexes
             if index.unique and column.name in index.columns]
    return keys


def merge_parties(session: Session, *, actor: Any, keep: Party, duplicate: Party,
                  why: str | None = None) -> dict[str, int]:
    """Merge ``duplicate`` into ``keep``: every reference to the duplicate, in every table, now
    points at ``keep``; the duplicate stays as a record with ``merged_into_id`` set.

    Rows that would become exact duplicates of rows ``keep`` already has (the same role twice, a
    maker listed twice on one object) are dropped rather than duplicated.

    Returns:
        rows repointed per ``table.column``.
    """
    check(actor, "parties.edit")
    if keep.id == duplicate.id:
        raise ValidationError("Choose two different records to merge.", field="duplicate")
    if duplicate.merged_into_id is not None:
        raise ValidationError(f"{duplicate.name} was already merged.", field="duplicate")
    if keep.merged_into_id is not None:
        raise ValidationError(f"{keep.name} was itself merged into another record.",
                              field="keep")
    session.flush()
    counts: dict[str, int] = {}
    with reason(why or f"merged party {duplicate.id} ({duplicate.name}) into {keep.id}"):
        for table, column in party_references():
            for key in _conflict_columns(table, column):
                others = [c for c in key if c is not column]
                if not others:
                    continue
                # Drop the duplicate's rows that keep already has (same other key values).
                alias = table.alias("kept")
                same = sa.and_(*(alias.c[c.name] == c for c in others))
                session.execute(sa.delete(table).where(
                    column == duplicate.id,
                    sa.exists().where(alias.c[column.name] == keep.id, same)))
            result = session.execute(
                sa.update(table).where(column == duplicate.id).values({column.name: keep.id}))
            if result.rowcount:
                counts[f"{table.name}.{column.name}"] = result.rowcount
        session.expire_all()
        duplicate = session.get(Party, duplicate.id)  # type: ignore[assignment]
        keep = session.get(Party, keep.id)  # type: ignore[assignment]
        duplicate.merged_into_id = keep.id
        # Details only the duplicate had are kept on the surviving record.
        for field in ("dates", "nationality", "email", "phone", "address", "country",
                      "authority_uri"):
            if not getattr(keep, field) and getattr(duplicate, field):
                setattr(keep, field, getattr(duplicate, field))
        session.flush()
    # Core UPDATEs bypass the ORM, so the audit trail gets an explicit line for what moved.
    from catalog.core.audit import AuditLog, _current_actor

    actor_id, label = _current_actor()
    session.execute(sa.insert(AuditLog).values(
        actor_id=actor_id, actor_label=label, record_type="parties", record_id=str(keep.id),
        action="merge", changes={name: [str(duplicate.id), str(keep.id)]
                                 for name in counts} or {"merged_from": [str(duplicate.id), None]},
        reason=why or f"merged party {duplicate.id} ({duplicate.name}) into {keep.id}"))
    return counts


def party_as_dict(party: Party, user: Any) -> dict[str, Any]:
    """What the API and exports show of a party: contact details only with parties.personal."""
    data: dict[str, Any] = {
        "id": party.id, "kind": party.kind, "name": party.name, "sort_name": party.sort_name,
        "dates": party.dates, "nationality": party.nationality, "country": party.country,
        "authority_uri": party.authority_uri, "roles": sorted(party.role_codes),
        "merged_into_id": party.merged_into_id,
    }  # fmt: skip
    if has_permission(user, "parties.personal"):
        data.update({field: getattr(party, field) for field in PERSONAL_FIELDS})
    return data
