"""Label PDFs: exact sizes and positions, every QR decodes to its payload, text never overflows."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from reportlab.lib.units import inch, mm

from catalog.labels.layouts import LAYOUTS, get_layout
from catalog.labels.render import (
    ELLIPSIS,
    QUIET_ZONE_MODULES,
    SAFETY,
    LabelDrawing,
    LabelItem,
    render_labels,
)

DPI = 300

#: the manufacturers' specifications: page, label size, grid, first label's top-left corner,
#: pitch — in millimetres (5160 in inches)
SPEC = {
    "L7160": {"page": (210, 297), "label": (63.5, 38.1), "grid": (3, 7), "first": (7.21, 15.15),
                  "pitch": (66.04, 38.1), "unit": mm},
    "L7163": {"page": (210, 297), "label": (99.1, 38.1), "grid": (2, 7), "first": (4.65, 15.15),
                  "pitch": (101.6, 38.1), "unit": mm},
    "5160": {"page": (8.5, 11), "label": (2.625, 1), "grid": (3, 10), "first": (0.1875, 0.5),
                 "pitch": (2.75, 1), "unit": inch},
    "roll-62x29": {"page": (62, 29), "label": (62, 29), "grid": (1, 1), "first": (0, 0),
                   "pitch": (0, 0), "unit": mm},
    "roll-2x1": {"page": (2, 1), "label": (2, 1), "grid": (1, 1), "first": (0, 0), "pitch": (0, 0),
                     "unit": inch},
}

LONG_TITLE = ("Allegorical portrait of the Duchess of Richmond and Lennox as Minerva, with her "
              "children, a spaniel, an orrery and a view of Goodwood House beyond, in its "
              "original carved and gilded frame")


def payload(n: int) -> str:
    return f"https://collections.example.museum/s/O{n:04d}Z"


def items(count: int, *, title: str = "Jug") -> list[LabelItem]:
    return [LabelItem(number=f"2024.{n // 10}.{n % 10}", title=title if n % 2 else LONG_TITLE,
                      payload=payload(n), code=f"O{n:04d}Z") for n in range(count)]


def rasterise(pdf: bytes) -> list[Image.Image]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=DPI / 72, grayscale=True).to_pil()
                for i in range(len(document))]
    finally:
        document.close()


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].get_size() for i in range(len(document))]
    finally:
        document.close()


def decoded(image: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]


def test_registry_matches_the_sheet_specifications():
    assert set(SPEC) <= set(LAYOUTS)
    for name, spec in SPEC.items():
        layout = LAYOUTS[name]
        unit = spec["unit"]
        assert layout.page_width == pytest.approx(spec["page"][0] * unit, abs=0.01)
        assert layout.page_height == pytest.approx(spec["page"][1] * unit, abs=0.01)
        assert layout.label_width == pytest.approx(spec["label"][0] * unit, abs=0.01)
        assert layout.label_height == pytest.approx(spec["label"][1] * unit, abs=0.01)
        assert (layout.columns, layout.rows) == spec["grid"]
        columns, _rows = spec["grid"]
        for index in range(layout.per_page):
            row, column = divmod(index, columns)
            x, y, w, h = layout.cell_box(index)
            left = (spec["first"][0] + column * spec["pitch"][0]) * unit
            top = (spec["first"][1] + row * spec["pitch"][1]) * unit
            assert x == pytest.approx(left, abs=0.01)
            assert layout.page_height - (y + h) == pytest.approx(top, abs=0.01)
            # every label lies on the page
            assert x >= 0
            assert y >= -0.01
            assert x + w <= layout.page_width + 0.01
        # the sheet's margins are symmetric, as on the real stock
        last_x, last_y, w, _ = layout.cell_box(layout.per_page - 1)
        assert layout.page_width - (last_x + w) == pytest.approx(layout.cell_box(0)[0], abs=0.3)
        assert last_y == pytest.approx(layout.page_height - layout.cell_box(0)[1]
                                       - layout.label_height, abs=0.3)


def test_unknown_layout_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="L7160"):
        get_layout("L9999")
    assert get_layout("l7163").name == "L7163"


@pytest.mark.parametrize("name", list(SPEC))
def test_every_printed_qr_decodes_to_its_exact_payload(name):
    layout = LAYOUTS[name]
    # more than a sheet, a partly used first sheet and two copies of each
    count = layout.per_page + 2 if not layout.is_roll else 3
    start = 4 if layout.per_page > 4 else 1
    pdf = render_labels(items(count), layout, start=start, copies=2)
    sizes = page_sizes(pdf)
    expected_cells = start - 1 + 2 * count
    assert len(sizes) == -(-expected_cells // layout.per_page)
    for width, height in sizes:
        assert width == pytest.approx(layout.page_width, abs=0.01)
        assert height == pytest.approx(layout.page_height, abs=0.01)
    pages = rasterise(pdf)
    found: list[str] = []
    for page in pages:
        found.extend(decoded(page))
    expected = [p for n in range(count) for p in [payload(n)] * 2]
    assert sorted(found) == sorted(expected)


def test_start_position_leaves_used_labels_blank():
    layout = LAYOUTS["L7160"]
    drawings: list[LabelDrawing] = []
    pdf = render_labels(items(2), layout, start=8, drawings=drawings)
    assert [d.box for d in drawings] == [layout.cell_box(7), layout.cell_box(8)]
    [page] = rasterise(pdf)
    scale = DPI / 72
    for index in range(7):  # cells 1-7 stay blank: they were used before
        x, y, w, h = layout.cell_box(index)
        box = (int(x * scale), int((layout.page_height - y - h) * scale),
               int((x + w) * scale), int((layout.page_height - y) * scale))
        assert page.crop(box).getextrema() == (255, 255)


@pytest.mark.parametrize("name", list(SPEC))
def test_long_titles_are_shortened_and_never_leave_the_label(name):
    layout = LAYOUTS[name]
    long_number = "2024.12345.67890.ABCDEFGHIJ.KLMNOPQRSTUV"
    labels = [LabelItem(long_number, LONG_TITLE * 3, payload(1), "O0001Z"),
              LabelItem("1", "W" * 400, payload(2), "O0002Z")]
    drawings: list[LabelDrawing] = []
    pdf = render_labels(labels, layout, drawings=drawings)
    for drawing in drawings:
        x, y, w, h = drawing.box
        for text in drawing.texts:
            assert text.x >= x + SAFETY - 0.01
            assert text.x + text.width <= x + w - SAFETY + 0.01, text
            assert y + SAFETY - 0.5 <= text.y <= y + h - SAFETY
        # the QR's quiet zone is inside the label and clear of the text
        qx, qy, qw, qh = drawing.qr_box
        zone = QUIET_ZONE_MODULES * drawing.module
        assert qx - zone >= x + SAFETY - 0.01
        assert qy - zone >= y - 0.01
        assert qy + qh + zone <= y + h + 0.01
        assert all(t.x >= qx + qw + zone - 0.01 for t in drawing.texts)
        titles = [t.text for t in drawing.texts if t.font == "Helvetica"]
        assert titles, "the title gets at least one line"
        assert titles[-1].endswith(ELLIPSIS)
    number_lines = [t.text for t in drawings[0].texts if t.font == "Helvetica-Bold"]
    assert number_lines[0].endswith(ELLIPSIS) or number_lines[0] == long_number
    if layout.is_roll:
        return
    # Nothing was printed outside the label boxes: every pixel there is white.
    [page] = rasterise(pdf)
    scale = DPI / 72
    mask = Image.new("L", page.size, 0)
    for index in range(2):
        x, y, w, h = layout.cell_box(index)
        mask.paste(255, (int(x * scale), int((layout.page_height - y - h) * scale),
                         int((x + w) * scale) + 1, int((layout.page_height - y) * scale) + 1))
    outside = Image.composite(Image.new("L", page.size, 255), page, mask)
    assert outside.getextrema() == (255, 255)


def test_text_that_fits_is_not_shortened():
    drawings: list[LabelDrawing] = []
    render_labels([LabelItem("2024.1.1", "Jug", payload(1), "O0001Z")], LAYOUTS["L7163"],
                  drawings=drawings)
    texts = [t.text for t in drawings[0].texts]
    assert "2024.1.1" in texts
    assert "Jug" in texts
    assert "O0001Z" in texts


def test_non_latin_titles_do_not_break_the_pdf():
    pdf = render_labels([LabelItem("2024.1.2", "Ōkubo 大久保 ﬁnch — Łódź", payload(3), "O3")],
                        LAYOUTS["roll-62x29"])
    assert decoded(rasterise(pdf)[0]) == [payload(3)]


def test_bad_start_and_copies_are_refused():
    layout = LAYOUTS["L7160"]
    with pytest.raises(ValueError, match="between 1 and 21"):
        render_labels(items(1), layout, start=22)
    with pytest.raises(ValueError, match="Copies"):
        render_labels(items(1), layout, copies=0)
    with pytest.raises(ValueError, match="Nothing to print"):
        render_labels([], layout)


def test_pdf_is_a_pdf():
    pdf = render_labels(items(1), LAYOUTS["5160"])
    assert pdf.startswith(b"%PDF")
