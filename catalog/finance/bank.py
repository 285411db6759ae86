"""Bank statement import (CSV, OFX, ISO 20022 camt.053) and matching receipts to invoices.

A file is imported once: its SHA-256 is unique, and each transaction's bank reference (account
plus the bank's own id) is unique too, so overlapping statements never post a receipt twice.

Matching: an invoice number in the remittance information (``INV-000123``, ``inv 123``) and an
amount equal to what is open posts the payment at once ("matched"); a number with a different
amount, or an amount that equals exactly one open invoice without a number, waits on the review
screen ("unsure") where a clerk confirms, reassigns or ignores it.

CSV format (one header row; names are case-insensitive, common bank export names accepted)::

    date,amount,currency,reference,counterparty,id
    2026-05-02,120.00,GBP,INV-000012 thank you,Tate Gallery,TX-991

- ``date`` (or booking date / transaction date / value date): ``YYYY-MM-DD``, ``DD/MM/YYYY`` or
  ``DD.MM.YYYY``;
- ``amount`` (positive = money in), or separate ``credit``/``paid in``/``money in`` and
  ``debit``/``paid out``/``money out`` columns; ``1,234.56`` and ``1.234,56`` are understood;
- ``currency`` (or ccy), else the currency chosen on import;
- ``reference`` (or description, details, memo, narrative, remittance information);
- ``counterparty`` (or name, payer, payee); ``id`` (or transaction id, bank reference, fitid):
  without an id, the row's content is hashed, so the same row in two files is recognised.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.core.errors import DomainError, NotFoundError, ValidationError
from catalog.core.money import Money, MoneyError, check_currency
from catalog.finance import services
from catalog.finance.ledger import invoice_balance
from catalog.finance.models import BankImport, BankTransaction, Invoice

SCHEMAS = Path(__file__).parent / "schemas"
CAMT_VERSIONS = {"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02": "02",
                 "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08": "08"}
INVOICE_NUMBER = re.compile(r"\bINV[\s\-_/#:]*0*(\d{1,9})\b", re.IGNORECASE)


@dataclass
class ParsedTransaction:
    bank_ref: str
    booked_on: date
    amount_minor: int
    currency: str
    counterparty: str | None = None
    remittance: str | None = None


@dataclass
class ParsedStatement:
    format: str
    account: str | None
    transactions: list[ParsedTransaction] = field(default_factory=list)


# --- parsing -----------------------------------------------------------------------------------

def _minor(text: str, currency: str) -> int:
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if "," in cleaned and ("." not in cleaned or cleaned.rfind(",") > cleaned.rfind(".")):
        cleaned = cleaned.replace(".", "").replace(",", ".")  # 1.234,56
    try:
        return Money.parse(cleaned, currency).minor
    except MoneyError as exc:
        raise ValidationError(f"{text!r} is not an amount in {currency}.") from exc


def _date(text: str) -> date:
    text = text.strip()[:10]
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 (a date, no time)
        except ValueError:
            continue
    raise ValidationError(f"{text!r} is not a date (use YYYY-MM-DD or DD/MM/YYYY).")


_CSV_ALIASES = {
    "date": ("date", "booking date", "booked", "transaction date", "value date", "posted",
             "buchungstag"),
    "amount": ("amount", "betrag", "value"),
    "credit": ("credit", "paid in", "money in", "credit amount", "in"),
    "debit": ("debit", "paid out", "money out", "debit amount", "out"),
    "currency": ("currency", "ccy", "currency code", "währung"),
    "reference": ("reference", "description", "details", "memo", "narrative",
                  "remittance information", "remittance", "verwendungszweck", "payment reference"),
    "counterparty": ("counterparty", "name", "payer", "payee", "counter party",
                     "beneficiary", "originator"),
    "id": ("id", "transaction id", "bank reference", "fitid", "reference number",
           "transaction reference"),
}


def parse_csv(data: bytes, *, default_currency: str) -> ParsedStatement:
    """Parse the documented CSV format (see the module docstring)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = {(h or "").strip().lower(): h for h in (reader.fieldnames or [])}
    columns: dict[str, str] = {}
    for key, aliases in _CSV_ALIASES.items():
        for alias in aliases:
            if alias in headers:
                columns[key] = headers[alias]
                break
    if "date" not in columns or not ("amount" in columns or "credit" in columns):
        raise ValidationError("The CSV needs a header row with at least a date and an amount "
                              "(or credit/debit) column.")
    statement = ParsedStatement(format="csv", account=None)
    for number, row in enumerate(reader, start=2):
        if not any((v or "").strip() for v in row.values()):
            continue
        try:
            currency = check_currency(row.get(columns.get("currency", ""), "") or default_currency)
        except MoneyError as exc:
            raise ValidationError(f"Row {number}: {exc}") from exc
        try:
            if "amount" in columns:
                amount = _minor(row[columns["amount"]] or "0", currency)
            else:
                credit = (row.get(columns["credit"]) or "").strip()
                debit = (row.get(columns.get("debit", ""), "") or "").strip()
                amount = (_minor(credit, currency) if credit else 0) - (
                    abs(_minor(debit, currency)) if debit else 0)
            booked = _date(row[columns["date"]] or "")
        except ValidationError as exc:
            raise ValidationError(f"Row {number}: {exc.message}") from exc
        reference = (row.get(columns.get("reference", ""), "") or "").strip() or None
        counterparty = (row.get(columns.get("counterparty", ""), "") or "").strip() or None
        bank_id = (row.get(columns.get("id", ""), "") or "").strip()
        if not bank_id:
            digest = hashlib.sha256("|".join([booked.isoformat(), str(amount), currency,
                                              reference or "", counterparty or ""]).encode())
            bank_id = "h" + digest.hexdigest()[:32]
        statement.transactions.append(ParsedTransaction(
            f"csv:{bank_id}", booked, amount, currency, counterparty, reference))
    return statement


def _ofx_field(block: str, tag: str) -> str | None:
    match = re.search(rf"<{tag}>([^<\r\n]*)", block, re.IGNORECASE)
    return match.group(1).strip() if match else None


def parse_ofx(data: bytes) -> ParsedStatement:
    """Parse an OFX 1.x (SGML) or 2.x (XML) bank statement."""
    text = data.decode("latin-1")
    if "<OFX>" not in text.upper():
        raise ValidationError("This is not an OFX file (no <OFX> element).")
    statement = ParsedStatement(format="ofx", account=None)
    blocks = re.findall(r"<STMTRS>(.*?)</STMTRS>", text, re.IGNORECASE | re.DOTALL)
    accounts = []
    for block in blocks:
        currency = check_currency(_ofx_field(block, "CURDEF") or "GBP")
        account = _ofx_field(block, "ACCTID") or "unknown"
        accounts.append(account)
        for trn in re.findall(r"<STMTTRN>(.*?)</STMTTRN>", block, re.IGNORECASE | re.DOTALL):
            fitid = _ofx_field(trn, "FITID")
            posted = _ofx_field(trn, "DTPOSTED")
            amount = _ofx_field(trn, "TRNAMT")
            if not (fitid and posted and amount):
                raise ValidationError("An OFX transaction lacks FITID, DTPOSTED or TRNAMT.")
            memo = " ".join(x for x in (_ofx_field(trn, "MEMO"),) if x)
            statement.transactions.append(ParsedTransaction(
                f"ofx:{account}:{fitid}", _date(posted[:8]), _minor(amount, currency), currency,
                _ofx_field(trn, "NAME"), memo or None))
    statement.account = ", ".join(accounts) or None
    return statement


def parse_camt053(data: bytes) -> ParsedStatement:
    """Parse an ISO 20022 camt.053 statement (versions 001.02 and 001.08), validated against
    its XSD first so that a malformed file is refused as a whole."""
    from lxml import etree

    try:
        root = etree.fromstring(data, parser=etree.XMLParser(resolve_entities=False,
                                                             no_network=True))
    except etree.XMLSyntaxError as exc:
        raise ValidationError(f"The camt.053 file is not well-formed XML: {exc}") from exc
    namespace = etree.QName(root).namespace or ""
    version = CAMT_VERSIONS.get(namespace)
    if version is None:
        raise ValidationError("This is not a camt.053 version 001.02 or 001.08 statement "
                              f"(namespace {namespace or 'missing'}).")
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / f"camt.053.001.{version}.xsd")))
    if not schema.validate(root):
        first = schema.error_log[0]
        message = re.sub(r"\{[^}]*\}", "", first.message)
        raise ValidationError(f"The camt.053 file does not follow the ISO 20022 schema "
                              f"(line {first.line}): {message}")
    ns = {"c": namespace}

    def text(node: Any, path: str) -> str | None:
        found = node.find(path, ns)
        return found.text.strip() if found is not None and found.text else None

    statement = ParsedStatement(format="camt053", account=None)
    accounts = []
    for stmt in root.iterfind("c:BkToCstmrStmt/c:Stmt", ns):
        account = (text(stmt, "c:Acct/c:Id/c:IBAN") or text(stmt, "c:Acct/c:Id/c:Othr/c:Id")
                   or "unknown")
        accounts.append(account)
        stmt_id = text(stmt, "c:Id") or ""
        for index, entry in enumerate(stmt.iterfind("c:Ntry", ns)):
            amt = entry.find("c:Amt", ns)
            currency = check_currency(amt.get("Ccy"))
            amount = _minor(amt.text or "0", currency)
            if text(entry, "c:CdtDbtInd") == "DBIT":
                amount = -amount
            booked = text(entry, "c:BookgDt/c:Dt") or (text(entry, "c:BookgDt/c:DtTm") or "")[:10]
            booked = booked or text(entry, "c:ValDt/c:Dt") or ""
            refs = [x.text.strip() for x in entry.iterfind(".//c:RmtInf/c:Ustrd", ns) if x.text]
            refs += [x.text.strip() for x in entry.iterfind(".//c:RmtInf/c:Strd//c:Ref", ns)
                     if x.text]
            refs += [t for t in [text(entry, "c:AddtlNtryInf"),
                                 text(entry, ".//c:Refs/c:EndToEndId")] if t]
            counterparty = (text(entry, ".//c:RltdPties/c:Dbtr/c:Nm")
                            or text(entry, ".//c:RltdPties/c:Dbtr/c:Pty/c:Nm"))
            own_id = text(entry, "c:AcctSvcrRef") or text(entry, "c:NtryRef")
            if not own_id:
                own_id = "h" + hashlib.sha256(
                    f"{stmt_id}|{index}|{amount}|{booked}".encode()).hexdigest()[:32]
            statement.transactions.append(ParsedTransaction(
                f"camt:{account}:{own_id}", _date(booked), amount, currency, counterparty,
                " | ".join(refs) or None))
    statement.account = ", ".join(accounts) or None
    return statement


def detect_format(filename: str, data: bytes) -> str:
    head = data[:600].lstrip().upper()
    if b"OFXHEADER" in head or b"<OFX>" in data[:4000].upper():
        return "ofx"
    if head.startswith(b"<?XML") or head.startswith(b"<DOCUMENT"):
        return "camt053"
    if filename.lower().endswith((".csv", ".txt")):
        return "csv"
    raise ValidationError("Upload a CSV, OFX or camt.053 (XML) bank statement.")


def parse(filename: str, data: bytes, *, default_currency: str = "GBP") -> ParsedStatement:
    kind = detect_format(filename, data)
    if kind == "ofx":
        return parse_ofx(data)
    if kind == "camt053":
        return parse_camt053(data)
    return parse_csv(data, default_currency=default_currency)


# --- import and matching -----------------------------------------------------------------------

def import_statement(session: Session, *, filename: str, data: bytes, actor: Any,
                     default_currency: str = "GBP") -> BankImport:
    """Import a statement file, match its receipts and post the sure ones.

    Raises:
        DomainError: the same file was imported before (nothing is posted again).
        ValidationError: the file cannot be read; nothing is imported.
    """
    services._actor_check(actor, "finance.edit")
    if not data:
        raise ValidationError("The file is empty.")
    digest = hashlib.sha256(data).hexdigest()
    earlier = session.scalar(sa.select(BankImport).where(BankImport.file_sha256 == digest))
    if earlier is not None:
        raise DomainError(f"This file was already imported on {earlier.imported_at:%d %b %Y} "
                          f"(import #{earlier.id}); nothing was posted again.")
    statement = parse(filename, data, default_currency=default_currency)
    record = BankImport(filename=filename[:300], format=statement.format, file_sha256=digest,
                        imported_by_id=getattr(actor, "id", None),
                        account=(statement.account or "")[:100] or None)
    try:
        # the same file uploaded twice at the same moment: the second waits on the unique
        # hash and is refused here rather than failing at commit
        with session.begin_nested():
            session.add(record)
    except sa.exc.IntegrityError as exc:
        raise DomainError("This file is being imported by someone else; nothing was posted "
                          "again.") from exc
    known = set(session.scalars(sa.select(BankTransaction.bank_ref).where(
        BankTransaction.bank_ref.in_([t.bank_ref for t in statement.transactions]))))
    for parsed in statement.transactions:
        if parsed.bank_ref in known:
            record.skipped_count += 1
            continue
        known.add(parsed.bank_ref)
        txn = BankTransaction(import_id=record.id, bank_ref=parsed.bank_ref[:200],
                              booked_on=parsed.booked_on, amount_minor=parsed.amount_minor,
                              currency=parsed.currency,
                              counterparty=(parsed.counterparty or "")[:300] or None,
                              remittance=parsed.remittance, status="unmatched")
        try:
            # an overlapping statement imported at the same moment may hold the same line
            with session.begin_nested():
                session.add(txn)
        except sa.exc.IntegrityError:
            record.skipped_count += 1
            continue
        record.transaction_count += 1
        match_transaction(session, txn, actor=actor)
    session.flush()
    return record


def _referenced_invoices(session: Session, txn: BankTransaction) -> list[Invoice]:
    text = " ".join(x for x in (txn.remittance, txn.counterparty) if x)
    numbers = []
    for match in INVOICE_NUMBER.finditer(text):
        number = f"{services.SERIES_PREFIX['INV']}{int(match.group(1)):06d}"
        if number not in numbers:
            numbers.append(number)
    if not numbers:
        return []
    found = {i.number: i for i in session.scalars(sa.select(Invoice).where(
        Invoice.number.in_(numbers)))}
    return [found[n] for n in numbers if n in found]


def match_transaction(session: Session, txn: BankTransaction, *, actor: Any) -> str:
    """Match one imported transaction; post it when the match is sure. Returns the status."""
    if txn.amount_minor <= 0:
        txn.status = "outgoing"
        txn.match_note = "Money out: not a receipt."
        return txn.status
    invoices = _referenced_invoices(session, txn)
    if invoices:
        usable = [i for i in invoices if i.currency == txn.currency
                  and i.status in services.OPEN_STATUSES]
        if len(usable) == len(invoices) and len({i.party_id for i in usable}) == 1:
            opens = {i.id: invoice_balance(session, i.id) for i in usable}
            if sum(opens.values()) == txn.amount_minor:
                txn.invoice_id = usable[0].id
                post_transaction(session, txn, allocations=opens, actor=actor, status="matched")
                txn.match_note = "Reference and amount match."
                return txn.status
        first = invoices[0]
        txn.invoice_id = first.id
        txn.status = "unsure"
        if first.currency != txn.currency:
            txn.match_note = f"Quotes {first.number}, which is in {first.currency}."
        elif first.status not in services.OPEN_STATUSES:
            txn.match_note = f"Quotes {first.number}, which is {first.status_label.lower()}."
        else:
            open_minor = invoice_balance(session, first.id)
            txn.match_note = (f"Quotes {first.number} but the amount differs from the "
                              f"{Money(open_minor, first.currency)} open.")
        session.flush()
        return txn.status
    # no reference: an amount equal to exactly one open invoice is a suggestion only
    candidates = [i for i in session.scalars(sa.select(Invoice).where(
        Invoice.currency == txn.currency, Invoice.status.in_(services.OPEN_STATUSES),
        Invoice.total_minor >= txn.amount_minor).limit(500))
        if invoice_balance(session, i.id) == txn.amount_minor]
    if len(candidates) == 1:
        txn.invoice_id = candidates[0].id
        txn.status = "unsure"
        txn.match_note = f"No reference; the amount equals what is open on {candidates[0].number}."
    else:
        txn.status = "unmatched"
        txn.match_note = ("No reference; several invoices have this amount open."
                          if candidates else "No invoice reference and no matching amount.")
    session.flush()
    return txn.status


def post_transaction(session: Session, txn: BankTransaction, *, allocations: dict[int, int] | None,
                     actor: Any, status: str) -> None:
    """Record the receipt as a payment of the invoice's party (the rest stays unapplied)."""
    invoice = session.get(Invoice, txn.invoice_id) if txn.invoice_id else None
    if invoice is None:
        raise ValidationError("Choose the invoice this receipt pays.")
    if invoice.currency != txn.currency:
        raise ValidationError(f"Invoice {invoice.label} is in {invoice.currency}; the receipt is "
                              f"in {txn.currency}.")
    if allocations is None:
        open_minor = invoice_balance(session, invoice.id) if invoice.status in \
            services.OPEN_STATUSES else 0
        take = min(open_minor, txn.amount_minor)
        allocations = {invoice.id: take} if take > 0 else {}
    services.record_payment(session, party=invoice.party, amount_minor=txn.amount_minor,
                            currency=txn.currency, received_on=txn.booked_on,
                            method="bank_transfer",
                            reference=(txn.remittance or txn.counterparty or "")[:200],
                            actor=actor, allocations=allocations, bank_transaction_id=txn.id)
    txn.status = status
    session.flush()


def _reviewable(txn: BankTransaction) -> None:
    if txn.status not in ("unsure", "unmatched"):
        raise DomainError("This transaction has already been dealt with.")


def confirm_transaction(session: Session, txn: BankTransaction, *, actor: Any) -> None:
    """Accept the proposed match and post the payment."""
    services._actor_check(actor, "finance.edit")
    _reviewable(txn)
    post_transaction(session, txn, allocations=None, actor=actor, status="confirmed")
    txn.match_note = (txn.match_note or "") + " Confirmed by hand."


def reassign_transaction(session: Session, txn: BankTransaction, *, invoice_number: str,
                         actor: Any) -> None:
    """Post the receipt against another invoice, named by its number."""
    services._actor_check(actor, "finance.edit")
    _reviewable(txn)
    invoice = session.scalar(sa.select(Invoice).where(
        sa.func.upper(Invoice.number) == (invoice_number or "").strip().upper()))
    if invoice is None:
        raise NotFoundError(f"There is no invoice {invoice_number!r}.")
    txn.invoice_id = invoice.id
    post_transaction(session, txn, allocations=None, actor=actor, status="confirmed")
    txn.match_note = f"Assigned by hand to {invoice.number}."


def ignore_transaction(session: Session, txn: BankTransaction, *, actor: Any) -> None:
    """Leave the receipt out of the ledger (not ours, already recorded by hand …)."""
    services._actor_check(actor, "finance.edit")
    _reviewable(txn)
    txn.status = "ignored"
    session.flush()


def decimal_or_none(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
