"""Finance models: accounts, ledger, invoices, payments, pledges, bank statements."""

from catalog.finance.models.accounts import ACCOUNT_KINDS, FinanceAccount, FinanceContact
from catalog.finance.models.bank import BANK_STATUSES, BankImport, BankTransaction
from catalog.finance.models.invoices import (
    INVOICE_KINDS,
    INVOICE_STATUSES,
    CreditNote,
    Invoice,
    InvoiceLine,
    NumberSeries,
)
from catalog.finance.models.ledger import CHART, JournalEntry, LedgerAccount, LedgerLine
from catalog.finance.models.payments import (
    PAYMENT_METHODS,
    Allocation,
    Payment,
    Refund,
    WriteOff,
)
from catalog.finance.models.pledges import Pledge, PledgeInstalment

__all__ = [
    "ACCOUNT_KINDS", "BANK_STATUSES", "CHART", "INVOICE_KINDS", "INVOICE_STATUSES",
    "PAYMENT_METHODS", "Allocation", "BankImport", "BankTransaction", "CreditNote",
    "FinanceAccount", "FinanceContact", "Invoice", "InvoiceLine", "JournalEntry",
    "LedgerAccount", "LedgerLine", "NumberSeries", "Payment", "Pledge", "PledgeInstalment",
    "Refund", "WriteOff",
]
