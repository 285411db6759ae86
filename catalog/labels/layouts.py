"""Label layouts as data: sheets of die-cut labels and single labels for roll printers.

Every dimension is the manufacturer's published specification in millimetres (or inches for US
sheets), converted to PDF points once. Cells are numbered 1… left to right, top to bottom, as
people count them on a partly used sheet.
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.units import inch, mm


@dataclass(frozen=True)
class Layout:
    """A label stock: page size, label size, grid and margins (all in points)."""

    name: str
    title: str
    page_width: float
    page_height: float
    label_width: float
    label_height: float
    columns: int = 1
    rows: int = 1
    #: distance from the page's left edge to the first column's left edge
    left_margin: float = 0.0
    #: distance from the page's top edge to the first row's top edge
    top_margin: float = 0.0
    #: distance between the left edges of neighbouring columns
    column_pitch: float = 0.0
    #: distance between the top edges of neighbouring rows
    row_pitch: float = 0.0
    #: a roll printer prints one label per page
    is_roll: bool = False

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def cell_box(self, index: int) -> tuple[float, float, float, float]:
        """``(x, y, width, height)`` of cell ``index`` (0-based) in PDF coordinates (origin at
        the bottom left of the page)."""
        row, column = divmod(index % self.per_page, self.columns)
        x = self.left_margin + column * self.column_pitch
        top = self.page_height - self.top_margin - row * self.row_pitch
        return (x, top - self.label_height, self.label_width, self.label_height)


def _sheet(name: str, title: str, page: tuple[float, float], label: tuple[float, float],
           grid: tuple[int, int], margins: tuple[float, float], pitch: tuple[float, float],
           ) -> Layout:
    return Layout(name=name, title=title, page_width=page[0], page_height=page[1],
                  label_width=label[0], label_height=label[1], columns=grid[0], rows=grid[1],
                  left_margin=margins[0], top_margin=margins[1], column_pitch=pitch[0],
                  row_pitch=pitch[1])


def _roll(name: str, title: str, width: float, height: float) -> Layout:
    return Layout(name=name, title=title, page_width=width, page_height=height,
                  label_width=width, label_height=height, is_roll=True)


A4 = (210 * mm, 297 * mm)
LETTER = (8.5 * inch, 11 * inch)

#: name -> layout, in the order offered in the UI
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in [
    # Avery L7160: 21 per A4 sheet, 63.5 x 38.1 mm, 3 x 7, 2.54 mm between columns.
    _sheet("L7160", "A4 sheet, 21 labels 63.5 × 38.1 mm (Avery L7160)", A4,
           (63.5 * mm, 38.1 * mm), (3, 7), (7.21 * mm, 15.15 * mm), (66.04 * mm, 38.1 * mm)),
    # Avery L7163: 14 per A4 sheet, 99.1 x 38.1 mm, 2 x 7, 2.5 mm between columns.
    _sheet("L7163", "A4 sheet, 14 labels 99.1 × 38.1 mm (Avery L7163)", A4,
           (99.1 * mm, 38.1 * mm), (2, 7), (4.65 * mm, 15.15 * mm), (101.6 * mm, 38.1 * mm)),
    # Avery 5160: 30 per US Letter sheet, 2 5/8 x 1 in, 3 x 10, 1/8 in between columns.
    _sheet("5160", "US Letter sheet, 30 labels 2⅝ × 1 in (Avery 5160)", LETTER,
           (2.625 * inch, 1 * inch), (3, 10), (0.1875 * inch, 0.5 * inch),
           (2.75 * inch, 1 * inch)),
    _roll("roll-62x29", "Roll printer, single label 62 × 29 mm (Brother DK-11209)",
          62 * mm, 29 * mm),
    _roll("roll-2x1", "Roll printer, single label 2 × 1 in (Zebra, DYMO)", 2 * inch, 1 * inch),
]}

DEFAULT_LAYOUT = "L7160"


def get_layout(name: str) -> Layout:
    """The layout called ``name`` (case-insensitive), or a ValueError listing the choices."""
    for key, layout in LAYOUTS.items():
        if key.lower() == name.strip().lower():
            return layout
    raise ValueError(f"Unknown label layout {name!r}; choose one of {', '.join(LAYOUTS)}.")
