"""Draw QR labels into a PDF at exact physical sizes (reportlab).

Each label has, inside a small safety margin for die-cutting tolerance:

- on the left, the QR symbol drawn as vector rectangles, with its 4-module quiet zone inside the
  label (so neither the label edge nor the text can eat into it);
- on the right, the number (object number or location code) as large as fits, the title wrapped
  onto the lines that fit and shortened with an ellipsis, and the scan code in small type.

Every string is measured with ``pdfmetrics.stringWidth`` before it is drawn: nothing is ever
drawn beyond the label's box.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from catalog.labels.layouts import Layout

QUIET_ZONE_MODULES = 4
#: blank margin inside the label's edge: die-cut labels shift by up to ~1 mm in printers
SAFETY = 1.2 * mm
NUMBER_FONT = "Helvetica-Bold"
TEXT_FONT = "Helvetica"
CODE_FONT = "Courier"
ELLIPSIS = "…"
MASK_PATTERN = 2


@dataclass(frozen=True)
class LabelItem:
    """What one label shows."""

    number: str
    title: str
    payload: str
    code: str


@dataclass(frozen=True)
class PlacedText:
    """A line of text as drawn (kept for tests: every line is inside its label)."""

    text: str
    font: str
    size: float
    x: float
    y: float

    @property
    def width(self) -> float:
        return stringWidth(self.text, self.font, self.size)


def printable(text: str) -> str:
    """Text the PDF's standard fonts can draw (WinAnsi): accents kept, other scripts spelt out
    where Unicode allows (ligatures, full-width forms) and replaced by '?' otherwise."""
    text = " ".join((text or "").split())
    try:
        text.encode("cp1252")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode("cp1252")
            out.append(char)
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", char)
            folded = "".join(c for c in folded if not unicodedata.combining(c))
            try:
                folded.encode("cp1252")
                out.append(folded or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)


def _longest_prefix(text: str, font: str, size: float, width: float, suffix: str = "") -> int:
    """Length of the longest prefix of ``text`` that, followed by ``suffix``, fits ``width``."""
    suffix_width = stringWidth(suffix, font, size)
    low, high = 0, len(text)
    while low < high:  # binary search: widths grow with the prefix
        middle = (low + high + 1) // 2
        if stringWidth(text[:middle].rstrip(), font, size) + suffix_width <= width:
            low = middle
        else:
            high = middle - 1
    return low


def shorten(text: str, font: str, size: float, width: float) -> str:
    """The longest prefix of ``text`` with an ellipsis that fits ``width`` (always shortened)."""
    if stringWidth(ELLIPSIS, font, size) > width:
        return ""
    return text[:_longest_prefix(text, font, size, width, ELLIPSIS)].rstrip() + ELLIPSIS


def fit_line(text: str, font: str, size: float, width: float) -> str:
    """``text`` if it fits in ``width``, else shortened with an ellipsis."""
    if stringWidth(text, font, size) <= width:
        return text
    return shorten(text, font, size, width)


def wrap(text: str, font: str, size: float, width: float, max_lines: int) -> list[str]:
    """Break ``text`` into at most ``max_lines`` lines that fit ``width``; when text is left
    over, the last line ends with an ellipsis."""
    words = text.split()
    lines: list[str] = []
    index = 0
    while index < len(words) and len(lines) < max_lines:
        line = ""
        while index < len(words):
            candidate = f"{line} {words[index]}" if line else words[index]
            if stringWidth(candidate, font, size) <= width:
                line = candidate
                index += 1
            elif not line:
                # A single word longer than the line is broken where it overflows.
                cut = max(1, _longest_prefix(words[index], font, size, width))
                line, words[index] = words[index][:cut], words[index][cut:]
                break
            else:
                break
        lines.append(line)
    if index < len(words) and lines:
        lines[-1] = shorten(" ".join([lines[-1], *words[index:]]), font, size, width)
    return lines


@lru_cache(maxsize=256)
def qr_matrix(payload: str) -> tuple[tuple[bool, ...], ...]:
    """The QR symbol's modules (True is dark), without quiet zone; error correction M.

    The mask pattern is fixed rather than chosen by scoring all eight: scoring is 90 % of the
    time a symbol takes, and any mask decodes; the penalty scores only tune print contrast.
    """
    symbol = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, box_size=1,
                           mask_pattern=MASK_PATTERN)
    symbol.add_data(payload)
    symbol.make(fit=True)
    # Cached: copies of one label (and reprints) reuse the symbol.
    return tuple(tuple(row) for row in symbol.get_matrix())


def qr_operators(matrix: Sequence[Sequence[bool]], x: float, y: float, module: float) -> str:
    """PDF content-stream operators that fill the dark modules, bottom-left corner at (x, y).

    The coordinate system is scaled to one module, so each horizontal run of dark modules is
    one ``re`` operator with small integers: exact positions and a compact, fast stream.
    """
    size = len(matrix)
    parts = [f"q 0 g {module:.5f} 0 0 {module:.5f} {x:.4f} {y:.4f} cm"]
    append = parts.append
    for row_index, row in enumerate(matrix):
        line = size - row_index - 1
        start = -1
        for column, dark in enumerate(row):
            if dark:
                if start < 0:
                    start = column
            elif start >= 0:
                append(f"{start} {line} {column - start} 1 re")
                start = -1
        if start >= 0:
            append(f"{start} {line} {size - start} 1 re")
    append("f Q")
    return "\n".join(parts)


def draw_qr(canvas: Canvas, matrix: Sequence[Sequence[bool]], x: float, y: float,
            module: float) -> None:
    """Draw the modules with their bottom-left corner at (x, y) as filled vector rectangles."""
    canvas.addLiteral(qr_operators(matrix, x, y, module))


@dataclass
class LabelDrawing:
    """Where the parts of one label went (for tests and previews)."""

    box: tuple[float, float, float, float]
    qr_box: tuple[float, float, float, float]  # modules only, without the quiet zone
    module: float
    texts: list[PlacedText]


def draw_label(canvas: Canvas, item: LabelItem, box: tuple[float, float, float, float]
               ) -> LabelDrawing:
    """Draw ``item`` inside ``box`` = (x, y, width, height) in points."""
    x, y, width, height = box
    matrix = qr_matrix(item.payload)
    modules = len(matrix) + 2 * QUIET_ZONE_MODULES
    side = min(height - 2 * SAFETY, width * 0.5)
    module = side / modules
    qr_x = x + SAFETY + QUIET_ZONE_MODULES * module
    qr_y = y + (height - len(matrix) * module) / 2
    draw_qr(canvas, matrix, qr_x, qr_y, module)

    # Text column: after the QR's right quiet zone, up to the safety margin.
    left = x + SAFETY + modules * module
    text_width = x + width - SAFETY - left
    top = y + height - SAFETY
    bottom = y + SAFETY
    texts: list[PlacedText] = []

    def put(text: str, font: str, size: float, baseline: float) -> None:
        canvas.setFont(font, size)
        canvas.drawString(left, baseline, text)
        texts.append(PlacedText(text, font, size, left, baseline))

    code_size = max(5.0, min(7.0, height / 12))
    number_max = min(20.0, height * 0.3)
    number = printable(item.number)
    fitted = stringWidth(number, NUMBER_FONT, 1) or 1
    number_size = max(7.0, min(number_max, text_width / fitted))
    number_line = fit_line(number, NUMBER_FONT, number_size, text_width)
    # Cap height of Helvetica is ~0.72 em: the first baseline sits that far below the top.
    baseline = top - number_size * 0.75
    put(number_line, NUMBER_FONT, number_size, baseline)

    code_baseline = bottom + code_size * 0.25
    put(fit_line(item.code, CODE_FONT, code_size, text_width), CODE_FONT, code_size,
        code_baseline)

    title_size = max(6.0, min(9.0, height / 10))
    leading = title_size * 1.18
    first_title_baseline = baseline - number_size * 0.28 - title_size * 0.95
    room = first_title_baseline - (code_baseline + code_size * 0.9 + title_size * 0.22)
    max_lines = int(room // leading) + 1 if room >= 0 else 0
    for index, line in enumerate(wrap(printable(item.title), TEXT_FONT, title_size,
                                      text_width, max_lines)):
        put(line, TEXT_FONT, title_size, first_title_baseline - index * leading)
    side_box = (qr_x, qr_y, len(matrix) * module, len(matrix) * module)
    return LabelDrawing(box=box, qr_box=side_box, module=module, texts=texts)


def render_labels(items: Iterable[LabelItem], layout: Layout, *, start: int = 1, copies: int = 1,
                  drawings: list[LabelDrawing] | None = None) -> bytes:
    """A PDF with ``copies`` labels of each item, from cell ``start`` of the first sheet.

    Args:
        drawings: when given, receives where each label's parts went (tests).

    Raises:
        ValueError: a start position outside the sheet, or copies outside 1–100.
    """
    if not 1 <= start <= layout.per_page:
        raise ValueError(f"The start position is between 1 and {layout.per_page} "
                         f"on a {layout.name} sheet.")
    if not 1 <= copies <= 100:
        raise ValueError("Copies must be between 1 and 100.")
    buffer = io.BytesIO()
    # Binary (not ASCII85) streams: a quarter smaller and faster; every PDF reader takes them.
    previous_a85, rl_config.useA85 = rl_config.useA85, 0
    try:
        return _render(items, layout, start=start, copies=copies, drawings=drawings,
                       buffer=buffer)
    finally:
        rl_config.useA85 = previous_a85


def _render(items: Iterable[LabelItem], layout: Layout, *, start: int, copies: int,
            drawings: list[LabelDrawing] | None, buffer: io.BytesIO) -> bytes:
    canvas = Canvas(buffer, pagesize=(layout.page_width, layout.page_height), pageCompression=1)
    canvas.setTitle("Labels")
    canvas.setCreator("Catalog")
    cell = start - 1
    drawn = 0
    for item in items:
        for _ in range(copies):
            if cell == layout.per_page:
                canvas.showPage()
                cell = 0
            drawing = draw_label(canvas, item, layout.cell_box(cell))
            if drawings is not None:
                drawings.append(drawing)
            cell += 1
            drawn += 1
    if drawn == 0:
        raise ValueError("Nothing to print: choose at least one record.")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
