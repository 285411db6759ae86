"""Posting to the ledger and reading balances from it.

:func:`post_entry` is the only writer of journal entries and ledger lines. It refuses an entry
whose lines do not sum to zero per currency (PostgreSQL re-checks at commit). Corrections are
:func:`reverse_entry` postings, never edits. Every balance the application shows — of an
invoice, of a party, as of any date — is a sum over ledger lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.db import utcnow
from catalog.core.errors import DomainError, ValidationError
from catalog.core.money import MoneyError, check_currency
from catalog.finance.models import CHART, JournalEntry, LedgerAccount, LedgerLine


class UnbalancedEntryError(DomainError):
    """A posting whose debits and credits differ; nothing was written."""


@dataclass(frozen=True)
class Line:
    """One line to post: ``amount_minor`` > 0 debits the account, < 0 credits it."""

    account: str
    amount_minor: int
    currency: str
    party_id: int | None = None
    invoice_id: int | None = None


def insert_if_missing(session: Session, model: type, values: dict[str, object],
                      key: str) -> None:
    """INSERT … ON CONFLICT DO NOTHING: two transactions creating the same row on first use
    both succeed instead of one failing on the unique key."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=[key]))


def chart_ids(session: Session) -> dict[str, int]:
    """Ids of the chart's accounts by code, creating any that are missing (first use)."""
    ids = {code: int(i) for code, i in session.execute(
        sa.select(LedgerAccount.code, LedgerAccount.id))}
    missing = [code for code in CHART if code not in ids]
    for code in missing:
        number, name, kind = CHART[code]
        insert_if_missing(session, LedgerAccount,
                          {"code": code, "number": number, "name": name, "type": kind}, "code")
    if missing:
        ids = {code: int(i) for code, i in session.execute(
            sa.select(LedgerAccount.code, LedgerAccount.id))}
    return ids


def account_id(session: Session, code: str) -> int:
    """Id of the chart account ``code``."""
    if code not in CHART:
        raise KeyError(f"unknown ledger account {code!r}")
    return chart_ids(session)[code]


def _check(lines: Sequence[Line]) -> None:
    if len(lines) < 2:
        raise UnbalancedEntryError("A journal entry needs at least two lines.")
    totals: dict[str, int] = defaultdict(int)
    for line in lines:
        try:
            currency = check_currency(line.currency)
        except MoneyError as exc:
            raise ValidationError(str(exc)) from exc
        if not isinstance(line.amount_minor, int) or isinstance(line.amount_minor, bool):
            raise ValidationError("Ledger amounts are whole minor units.")
        if line.amount_minor == 0:
            raise ValidationError("A ledger line cannot be zero.")
        if line.account not in CHART:
            raise ValidationError(f"There is no ledger account {line.account!r}.")
        totals[currency] += line.amount_minor
    unbalanced = {c: t for c, t in totals.items() if t != 0}
    if unbalanced:
        detail = ", ".join(f"{c} {t:+d}" for c, t in sorted(unbalanced.items()))
        raise UnbalancedEntryError(f"The entry does not balance ({detail} minor units); "
                              "nothing was posted.")


def post_entry(
    session: Session,
    lines: Iterable[Line],
    *,
    entry_date: date,
    memo: str,
    source_type: str,
    source_id: int | None = None,
    actor: object | None = None,
    reverses_id: int | None = None,
) -> JournalEntry:
    """Post one balanced journal entry.

    Raises:
        UnbalancedEntryError: the lines do not sum to zero per currency (nothing is written).
        ValidationError: a zero line, an unknown account or currency.
    """
    lines = list(lines)
    _check(lines)
    entry = JournalEntry(
        entry_date=entry_date, posted_at=utcnow(), posted_by_id=getattr(actor, "id", None),
        memo=memo[:300], source_type=source_type, source_id=source_id, reverses_id=reverses_id,
    )  # fmt: skip
    session.add(entry)
    session.flush()
    ids = chart_ids(session)
    for line in lines:
        session.add(LedgerLine(
            entry_id=entry.id, account_id=ids[line.account],
            party_id=line.party_id, invoice_id=line.invoice_id, entry_date=entry_date,
            amount_minor=line.amount_minor, currency=check_currency(line.currency),
        ))  # fmt: skip
    session.flush()
    return entry


def reverse_entry(session: Session, entry: JournalEntry, *, entry_date: date, memo: str,
                  actor: object | None = None) -> JournalEntry:
    """Post the mirror image of ``entry`` (the correction; the original stays as it was)."""
    if session.scalar(sa.select(JournalEntry.id).where(JournalEntry.reverses_id == entry.id)):
        raise DomainError("This entry has already been reversed.")
    codes = {v: k for k, v in chart_ids(session).items()}
    mirrored = []
    for line in entry.lines:
        code = codes[line.account_id]
        mirrored.append(Line(code, -line.amount_minor, line.currency, line.party_id,
                             line.invoice_id))
    return post_entry(session, mirrored, entry_date=entry_date, memo=memo,
                      source_type=entry.source_type, source_id=entry.source_id, actor=actor,
                      reverses_id=entry.id)


def _sum(session: Session, *conditions: sa.ColumnElement[bool]) -> int:
    total = session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LedgerLine.amount_minor), 0))
                           .where(*conditions))
    return int(total or 0)


def invoice_balance(session: Session, invoice_id: int, *, as_of: date | None = None) -> int:
    """What is still owed on an invoice (receivable debit balance), as of a date."""
    conditions = [LedgerLine.invoice_id == invoice_id,
                  LedgerLine.account_id == account_id(session, "receivable")]
    if as_of is not None:
        conditions.append(LedgerLine.entry_date <= as_of)
    return _sum(session, *conditions)


def invoice_balances(session: Session, invoice_ids: Iterable[int] | None = None, *,
                     as_of: date | None = None, party_id: int | None = None) -> dict[int, int]:
    """Open balance per invoice in one grouped query (aging, lists): {invoice_id: balance}.

    Only invoices with receivable lines appear; a missing id has a zero balance.
    """
    query = (sa.select(LedgerLine.invoice_id, sa.func.sum(LedgerLine.amount_minor))
             .where(LedgerLine.account_id == account_id(session, "receivable"),
                    LedgerLine.invoice_id.is_not(None))
             .group_by(LedgerLine.invoice_id))
    if invoice_ids is not None:
        ids = list(invoice_ids)
        if not ids:
            return {}
        query = query.where(LedgerLine.invoice_id.in_(ids))
    if party_id is not None:
        query = query.where(LedgerLine.party_id == party_id)
    if as_of is not None:
        query = query.where(LedgerLine.entry_date <= as_of)
    return {int(i): int(total) for i, total in session.execute(query)}


def party_receivable(session: Session, party_id: int, currency: str, *,
                     as_of: date | None = None) -> int:
    """Total owed by a party in ``currency`` (sum of its receivable lines), as of a date."""
    conditions = [LedgerLine.party_id == party_id, LedgerLine.currency == currency,
                  LedgerLine.account_id == account_id(session, "receivable")]
    if as_of is not None:
        conditions.append(LedgerLine.entry_date <= as_of)
    return _sum(session, *conditions)


def party_unapplied(session: Session, party_id: int, currency: str, *,
                    as_of: date | None = None) -> int:
    """The party's unapplied cash (a credit the museum holds), as a positive amount."""
    conditions = [LedgerLine.party_id == party_id, LedgerLine.currency == currency,
                  LedgerLine.account_id == account_id(session, "unapplied")]
    if as_of is not None:
        conditions.append(LedgerLine.entry_date <= as_of)
    return -_sum(session, *conditions)


def party_balances(session: Session, account: str, *, as_of: date | None = None
                   ) -> dict[tuple[int, str], int]:
    """Balance of one account ("receivable", "unapplied") per (party, currency), one query.

    Signs are the ledger's: receivable positive when owed, unapplied negative when held.
    """
    query = (sa.select(LedgerLine.party_id, LedgerLine.currency,
                       sa.func.sum(LedgerLine.amount_minor))
             .where(LedgerLine.account_id == account_id(session, account),
                    LedgerLine.party_id.is_not(None))
             .group_by(LedgerLine.party_id, LedgerLine.currency))
    if as_of is not None:
        query = query.where(LedgerLine.entry_date <= as_of)
    return {(int(p), c): int(t) for p, c, t in session.execute(query) if t}


def party_currencies(session: Session, party_id: int) -> list[str]:
    """Currencies in which the party has ledger activity."""
    return list(session.scalars(sa.select(LedgerLine.currency).where(
        LedgerLine.party_id == party_id).distinct().order_by(LedgerLine.currency)))


def account_balances(session: Session, *,
                     as_of: date | None = None) -> list[tuple[str, str, str, int]]:
    """Trial balance: (number, name, currency, balance) per account and currency."""
    query = (sa.select(LedgerAccount.number, LedgerAccount.name, LedgerLine.currency,
                       sa.func.sum(LedgerLine.amount_minor))
             .join(LedgerAccount, LedgerAccount.id == LedgerLine.account_id)
             .group_by(LedgerAccount.number, LedgerAccount.name, LedgerLine.currency)
             .order_by(LedgerAccount.number, LedgerLine.currency))
    if as_of is not None:
        query = query.where(LedgerLine.entry_date <= as_of)
    return [(n, name, c, int(t)) for n, name, c, t in session.execute(query)]
