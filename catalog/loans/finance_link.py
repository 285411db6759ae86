"""The loan fee becomes an invoice in the finance module, when that module is installed.

The finance module is optional here: it is imported lazily, and without it the loan page says so
instead of offering the button.
"""

from __future__ import annotations

import importlib.util
from typing import Any

from sqlalchemy.orm import Session

from catalog.core.errors import DomainError
from catalog.core.permissions import check
from catalog.loans.models import Loan

NOT_INSTALLED = ("The finance module is not installed, so the loan fee cannot be invoiced from "
                 "here; record the fee and invoice it in your finance system.")


def finance_available() -> bool:
    """True when ``catalog.finance.services.invoice_loan_fee`` can be imported."""
    try:
        if importlib.util.find_spec("catalog.finance") is None:
            return False
        from catalog.finance import services
    except ImportError:
        return False
    return hasattr(services, "invoice_loan_fee")


def raise_fee_invoice(session: Session, *, loan: Loan, actor: Any) -> Any:
    """Raise the finance invoice for ``loan``'s fee; returns the Invoice.

    Raises:
        DomainError: no fee, a refused loan, already invoiced, or no finance module.
    """
    if actor is not None:
        check(actor, "finance.edit")
    if loan.fee is None or loan.fee.minor == 0:
        raise DomainError(f"Loan {loan.number} has no fee to invoice; record the fee first.")
    if not loan.is_out:
        raise DomainError(f"Loan {loan.number} is a loan in: its fee is paid to the lender, not "
                          "invoiced. Record it as a supplier bill in your finance system.")
    if loan.status == "refused":
        raise DomainError(f"Loan {loan.number} was refused; there is no fee to invoice.")
    if loan.fee_invoice_id is not None:
        raise DomainError(f"The fee is invoiced already (invoice {loan.fee_invoice_number}).")
    try:
        from catalog.finance.services import invoice_loan_fee
    except ImportError as exc:
        raise DomainError(NOT_INSTALLED) from exc
    invoice = invoice_loan_fee(session, loan=loan, actor=actor)
    loan.fee_invoice_id = getattr(invoice, "id", None)
    number = getattr(invoice, "number", None) or getattr(invoice, "label", None)
    loan.fee_invoice_number = str(number) if number else None
    session.flush()
    return invoice
