"""Use cases for vocabulary terms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import NotFoundError, ValidationError
from catalog.core.permissions import check
from catalog.vocabularies.models import VOCABULARIES, VocabularyTerm


def term_key(term: str) -> str:
    return " ".join(term.split()).casefold()


def active_terms(session: Session, vocabularies: Iterable[str]) -> dict[str, list[str]]:
    """Terms offered by forms, per vocabulary, alphabetical (one query)."""
    codes = list(vocabularies)
    result: dict[str, list[str]] = {code: [] for code in codes}
    rows = session.execute(
        sa.select(VocabularyTerm.vocabulary, VocabularyTerm.term)
        .where(VocabularyTerm.vocabulary.in_(codes), VocabularyTerm.is_active.is_(True))
        .order_by(VocabularyTerm.vocabulary, VocabularyTerm.term_key))
    for vocabulary, term in rows:
        result[vocabulary].append(term)
    return result


def _check_uri(uri: str | None) -> str | None:
    uri = (uri or "").strip() or None
    if uri and not uri.startswith(("http://", "https://")):
        raise ValidationError("An external URI starts with http:// or https://.",
                              field="external_uri")
    return uri


def add_term(session: Session, *, actor: Any, vocabulary: str, term: str,
             external_uri: str | None = None, scope_note: str | None = None) -> VocabularyTerm:
    """Add a term; the same term (ignoring case and spacing) cannot be added twice."""
    check(actor, "vocabularies.edit")
    if vocabulary not in VOCABULARIES:
        raise ValidationError("Unknown vocabulary.", field="vocabulary")
    term = " ".join((term or "").split())
    if not term:
        raise ValidationError("Give the term.", field="term")
    key = term_key(term)
    if session.scalar(sa.select(VocabularyTerm.id).where(
            VocabularyTerm.vocabulary == vocabulary, VocabularyTerm.term_key == key)):
        raise ValidationError(f"“{term}” is already in {VOCABULARIES[vocabulary]}.", field="term")
    record = VocabularyTerm(vocabulary=vocabulary, term=term, term_key=key,
                            external_uri=_check_uri(external_uri),
                            scope_note=(scope_note or "").strip() or None)
    session.add(record)
    session.flush()
    return record


def update_term(session: Session, record: VocabularyTerm, *, actor: Any, term: str,
                external_uri: str | None, scope_note: str | None,
                is_active: bool) -> VocabularyTerm:
    """Rename, relink or retire a term (records already using the old wording keep it)."""
    check(actor, "vocabularies.edit")
    term = " ".join((term or "").split())
    if not term:
        raise ValidationError("Give the term.", field="term")
    key = term_key(term)
    clash = session.scalar(sa.select(VocabularyTerm.id).where(
        VocabularyTerm.vocabulary == record.vocabulary, VocabularyTerm.term_key == key,
        VocabularyTerm.id != record.id))
    if clash:
        raise ValidationError(f"“{term}” is already in this vocabulary.", field="term")
    record.term, record.term_key = term, key
    record.external_uri = _check_uri(external_uri)
    record.scope_note = (scope_note or "").strip() or None
    record.is_active = is_active
    session.flush()
    return record


def get_term(session: Session, term_id: int) -> VocabularyTerm:
    record = session.get(VocabularyTerm, term_id)
    if record is None:
        raise NotFoundError("There is no such term.")
    return record
