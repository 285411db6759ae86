"""Scan codes: short, typed, stable codes printed in QR labels.

A scan code is derived from the record's database id, so no column is needed and it survives
renumbering (an object number or a location code can change; the id never does)::

    <type letter> <id in Crockford base32> <check character>

- type letter: ``O`` for an object, ``L`` for a location (rooms, shelves, boxes, crates and
  every other container are locations);
- body: the id in Crockford's base32 alphabet (``0-9A-Z`` without ``I L O U``), no padding;
- check: Luhn mod 32 over the type letter and the body, drawn from the same alphabet. It catches
  every single mistyped character and every swap of two neighbouring characters.

Examples: object 1 is ``O1`` + check, location 1234 is ``L16J`` + check (the type letter
counts in the check sum as the values 24 for ``O`` and 21 for ``L``). Decoding is
case-insensitive and accepts Crockford's aliases in the body (``I``/``L`` read as ``1``,
``O`` as ``0``), which is what people mistype when they key a code in by hand.

The QR payload is ``{PUBLIC_BASE_URL}/s/<code>``: any phone camera opens the record, the
scanning page reads the code out of the URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_ALIASES = str.maketrans({"I": "1", "L": "1", "O": "0"})

#: type letter -> kind of record
KINDS = {"O": "object", "L": "location"}
PREFIXES = {kind: letter for letter, kind in KINDS.items()}

#: values of the type letters in the check sum (O and L are not in the alphabet: they are aliases)
_TYPE_VALUE = {"O": 24, "L": 21}

_CODE_RE = re.compile(r"^[OL][0-9A-Z]{2,14}$")


@dataclass(frozen=True)
class ScanCode:
    kind: str  # "object" or "location"
    id: int

    def __str__(self) -> str:
        return make_code(self.kind, self.id)


def _base32(number: int) -> str:
    if number < 0:
        raise ValueError("ids are positive")
    digits = []
    while True:
        number, rest = divmod(number, 32)
        digits.append(ALPHABET[rest])
        if number == 0:
            return "".join(reversed(digits))


def _check_character(text: str) -> str:
    """Luhn mod 32 check character of ``text`` (type letter + body)."""
    factor = 2
    total = 0
    for char in reversed(text):
        value = _TYPE_VALUE[char] if char in _TYPE_VALUE else _VALUE[char]
        addend = factor * value
        factor = 1 if factor == 2 else 2
        total += addend // 32 + addend % 32
    return ALPHABET[(32 - total % 32) % 32]


def make_code(kind: str, record_id: int) -> str:
    """The scan code of the object or location with ``record_id``."""
    letter = PREFIXES[kind]
    text = letter + _base32(record_id)
    return text + _check_character(text)


def object_code(object_id: int) -> str:
    return make_code("object", object_id)


def location_code(location_id: int) -> str:
    return make_code("location", location_id)


def parse_code(text: str) -> ScanCode | None:
    """The record a scan code names, or None when ``text`` is not a valid scan code."""
    text = text.strip().upper()
    if not _CODE_RE.match(text):
        return None
    letter, body, check = text[0], text[1:-1].translate(_ALIASES), text[-1].translate(_ALIASES)
    if any(c not in _VALUE for c in body) or _check_character(letter + body) != check:
        return None
    return ScanCode(KINDS[letter], _decode_base32(body))


def _decode_base32(body: str) -> int:
    number = 0
    for char in body:
        number = number * 32 + _VALUE[char]
    return number


def payload(base_url: str, code: str) -> str:
    """What the QR symbol holds: the public address of the code's record."""
    return f"{base_url.rstrip('/')}/s/{code}"


def code_from_scan(text: str) -> str:
    """The code inside what a scanner read: a QR payload URL gives its ``/s/<code>`` part;
    anything else (a legacy barcode, a typed code) is returned trimmed."""
    text = text.strip()
    if "://" in text or text.startswith("/s/"):
        path = urlsplit(text).path
        marker = path.rfind("/s/")
        if marker >= 0:
            return path[marker + 3:].strip("/")
    return text


def is_payload(text: str) -> bool:
    """True when ``text`` is a QR payload URL (``…/s/<code>``) rather than a bare code."""
    text = text.strip()
    return ("://" in text or text.startswith("/s/")) and "/s/" in urlsplit(text).path
