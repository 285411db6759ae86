"""Controlled vocabularies: object names, materials, techniques, departments …"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin

#: vocabulary code -> label; forms offer the terms of the vocabulary for the matching field
VOCABULARIES = {
    "object_name": "Object names",
    "material": "Materials",
    "technique": "Techniques",
    "department": "Departments",
    "maker_role": "Maker roles",
    "dimension_part": "Parts measured",
    "entry_reason": "Reasons for object entry",
    "disposal_method": "Disposal methods",
}


class VocabularyTerm(Audited, TimestampMixin, Base):
    """One term of a vocabulary, optionally linked to an external thesaurus (Getty AAT)."""

    __tablename__ = "vocabulary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: which vocabulary (a key of VOCABULARIES)
    vocabulary: Mapped[str] = mapped_column(sa.String(40))
    term: Mapped[str] = mapped_column(sa.String(200))
    #: lower-cased, space-collapsed term on which uniqueness is enforced
    term_key: Mapped[str] = mapped_column(sa.String(200))
    #: e.g. http://vocab.getty.edu/aat/300033618
    external_uri: Mapped[str | None] = mapped_column(sa.String(500))
    scope_note: Mapped[str | None] = mapped_column(sa.Text)
    #: retired terms stay for old records but are no longer offered
    is_active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (
        sa.UniqueConstraint("vocabulary", "term_key", name="uq_vocabulary_terms_vocabulary_term"),
    )

    def __repr__(self) -> str:
        return f"<VocabularyTerm {self.vocabulary}:{self.term!r}>"
