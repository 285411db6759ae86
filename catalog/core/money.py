"""Money as integer minor units with an ISO 4217 currency.

Amounts are stored as ``BigInteger`` minor units (pence, cents) next to a three-letter currency;
:class:`Money` is the value object used for arithmetic, parsing and display. Never ``float``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

#: Minor-unit exponent per currency; ISO 4217 lists the exceptions to the usual two decimals.
_EXPONENTS: dict[str, int] = {
    "JPY": 0, "KRW": 0, "ISK": 0, "CLP": 0, "VND": 0, "XOF": 0, "XAF": 0,
    "BHD": 3, "KWD": 3, "OMR": 3, "JOD": 3, "TND": 3, "LYD": 3, "IQD": 3,
}  # fmt: skip


class MoneyError(ValueError):
    """An amount or currency that cannot be money."""


def exponent(currency: str) -> int:
    """Number of decimal places of ``currency``'s minor unit."""
    return _EXPONENTS.get(currency.upper(), 2)


def check_currency(currency: str) -> str:
    """Return the upper-cased code or raise :class:`MoneyError`."""
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise MoneyError(f"{currency!r} is not an ISO 4217 currency code")
    return code


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: ``minor`` units of ``currency``."""

    minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.minor, int) or isinstance(self.minor, bool):
            raise MoneyError("money is held in whole minor units")
        object.__setattr__(self, "currency", check_currency(self.currency))

    @classmethod
    def parse(cls, text: str | Decimal | int, currency: str) -> Money:
        """Parse ``"1,234.50"`` in ``currency`` into minor units, refusing sub-minor precision."""
        currency = check_currency(currency)
        try:
            value = Decimal(str(text).replace(",", "").strip())
        except InvalidOperation as exc:
            raise MoneyError(f"{text!r} is not an amount") from exc
        if not value.is_finite():
            raise MoneyError(f"{text!r} is not an amount")
        scaled = value.scaleb(exponent(currency))
        if scaled != scaled.to_integral_value():
            raise MoneyError(f"{text} has more decimals than {currency} allows")
        return cls(int(scaled), currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @property
    def amount(self) -> Decimal:
        """The amount as a ``Decimal`` in major units."""
        return Decimal(self.minor).scaleb(-exponent(self.currency))

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot combine {self.currency} with {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor + other.minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.minor - other.minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.minor, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.minor < other.minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.minor <= other.minor

    def multiply(self, factor: Decimal | int) -> Money:
        """Multiply by a quantity or rate, rounding half-even to the minor unit."""
        value = (Decimal(self.minor) * Decimal(factor)).quantize(Decimal(1), ROUND_HALF_EVEN)
        return Money(int(value), self.currency)

    def format(self) -> str:
        """``"GBP 1,234.50"``: unambiguous across currencies."""
        places = exponent(self.currency)
        return f"{self.currency} {self.amount:,.{places}f}"

    def __str__(self) -> str:
        return self.format()
