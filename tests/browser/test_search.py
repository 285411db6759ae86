"""Search in a real browser, on a tablet and on a desktop: type, refine by a facet, select."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.search.factories import make_object, make_party

pytestmark = pytest.mark.browser


def _catalogue(live_server: Any) -> str:
    """Three objects by one maker with a unique name (records stay between browser tests)."""
    tag = uuid.uuid4().hex[:6]
    with live_server.session() as session:
        maker = make_party(session, f"Zelda Quillfeather{tag}")
        for n, (name, dept) in enumerate([("painting", "Paintings"), ("painting", "Paintings"),
                                          ("drawing", "Prints")], start=1):
            make_object(session, f"BR{tag}.{n}", title=f"Harbour view {n}", object_name=name,
                        department=dept, earliest_year=1850 + n, makers=(maker,))
    return tag


@pytest.mark.parametrize("size", ["tablet", "desktop"])
def test_type_refine_by_a_facet_and_select(live_server: Any, signed_in: Any, axe_check: Any,
                                           tablet_page: Any, desktop_page: Any,
                                           size: str) -> None:
    page = tablet_page if size == "tablet" else desktop_page
    tag = _catalogue(live_server)
    signed_in(page, "registrar")
    page.get_by_role("link", name="Search", exact=True).first.click()
    page.get_by_label("Search the catalogue").fill(f"quillfeather{tag}")
    page.get_by_role("button", name="Search", exact=True).click()
    assert page.locator("#result-count").inner_text().startswith("3 objects")
    axe_check(page)

    page.locator('[data-facet="object_name"]').get_by_role("link", name="painting").click()
    assert page.locator("#result-count").inner_text().startswith("2 objects")
    assert page.get_by_role("link", name="Remove filter Object name: painting").is_visible()

    page.get_by_label(f"Select BR{tag}.1").check()
    page.locator("#add-checked").click()
    assert page.get_by_text("1 object(s) added to your selection.").is_visible()
    assert page.locator("#selection-link").inner_text() == "Selection (1)"

    page.locator("#select-all").click()
    assert page.get_by_text("1 object(s) added to your selection.").is_visible()
    page.locator("#selection-link").click()
    assert page.get_by_role("heading", name="Your selection (2)").is_visible()
    page.get_by_role("button", name="Clear selection").click()
    assert page.get_by_role("heading", name="Your selection (0)").is_visible()
