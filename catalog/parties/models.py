"""Parties: one authority of people and organisations.

Makers, donors, lenders, borrowers and agencies are all parties.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from catalog.core.audit import Audited
from catalog.core.db import Base, TimestampMixin

#: roles a party can play; a party may hold several
PARTY_ROLES = {
    "maker": "Maker",
    "donor": "Donor",
    "lender": "Lender",
    "borrower": "Borrower",
    "depositor": "Depositor",
    "vendor": "Vendor",
    "valuer": "Valuer",
    "insurer": "Insurer",
    "courier": "Courier",
    "agency": "Collection agency",
    "member": "Member",
    "researcher": "Researcher",
    "venue": "Venue",
}


class Party(Audited, TimestampMixin, Base):
    """A person or an organisation."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: person or organisation
    kind: Mapped[str] = mapped_column(sa.String(12), default="person")
    #: display name, e.g. "Joseph Mallord William Turner" or "Tate"
    name: Mapped[str] = mapped_column(sa.String(300))
    #: for alphabetical lists, e.g. "Turner, Joseph Mallord William"
    sort_name: Mapped[str] = mapped_column(sa.String(300), index=True)
    #: life or activity dates as written, e.g. "1775–1851"
    dates: Mapped[str | None] = mapped_column(sa.String(100))
    nationality: Mapped[str | None] = mapped_column(sa.String(100))
    # Contact details are personal data: shown only with the parties.personal permission.
    email: Mapped[str | None] = mapped_column(sa.String(320))
    phone: Mapped[str | None] = mapped_column(sa.String(50))
    address: Mapped[str | None] = mapped_column(sa.Text)
    country: Mapped[str | None] = mapped_column(sa.String(2))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    #: external authority URI (ULAN, VIAF, Wikidata)
    authority_uri: Mapped[str | None] = mapped_column(sa.String(500))
    #: set when this record was merged into another; merged records are kept, never deleted
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"), index=True)

    roles: Mapped[list[PartyRole]] = relationship(back_populates="party", lazy="selectin",
                                                  cascade="all, delete-orphan")

    @property
    def role_codes(self) -> set[str]:
        return {r.role for r in self.roles}

    @property
    def is_individual(self) -> bool:
        return self.kind == "person"

    def __repr__(self) -> str:
        return f"<Party {self.id} {self.name!r}>"


class PartyRole(Audited, Base):
    """One role a party plays (donor, lender …)."""

    __tablename__ = "party_roles"

    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    party: Mapped[Party] = relationship(back_populates="roles")
