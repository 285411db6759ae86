"""Cataloguing in a real browser: create an object, see the live duplicate-number warning."""

from __future__ import annotations

import re
import uuid

import pytest

pytestmark = pytest.mark.browser


def _existing_object(live_server, number: str) -> None:
    from catalog.objects.services import create_object
    from catalog.users.models import User

    user = live_server.create_user("registrar")
    with live_server.session() as session:
        actor = session.get(User, user.id)
        create_object(session, actor=actor, object_number=number, object_name="vase",
                      brief_description="Blue and white vase", title="Existing vase")


@pytest.mark.parametrize("size", ["tablet", "desktop"])
def test_catalogue_an_object_and_see_the_duplicate_warning(live_server, browser, signed_in,
                                                          tablet_page, desktop_page, size,
                                                          axe_check):
    page = tablet_page if size == "tablet" else desktop_page
    serial = uuid.uuid4().int % 100_000
    taken = f"T{serial}-A"
    _existing_object(live_server, taken)
    signed_in(page, "registrar")
    page.goto(f"{live_server.url}/objects/new")
    number = page.get_by_label("Object number")
    # the same number typed in lower case with an en dash and spaces: the form warns at once
    number.fill(f" t{serial}\u2013a ")
    warning = page.locator("#number-warning")
    warning.wait_for(state="visible")
    assert "already used" in warning.inner_text()
    assert page.get_by_role("link", name=f"Open {taken}").is_visible()
    # a free number clears the warning
    fresh = f"B{uuid.uuid4().hex[:8].upper()}"
    number.fill(fresh)
    warning.wait_for(state="hidden")
    page.get_by_label("Object name").fill("painting")
    page.get_by_label("Brief description").fill("Harbour at dusk, oil on canvas")
    page.get_by_label("Title").fill("The Harbour")
    page.locator("#makers-0-name").fill("Joseph Mallord William Turner")
    page.locator("#dimensions-0-dimension").select_option("height")
    page.locator("#dimensions-0-value").fill("600")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/objects/\d+$"))
    assert page.get_by_text(f"Object {fresh} created.").is_visible()
    assert page.get_by_role("heading", name=f"{fresh} · The Harbour").is_visible()
    assert page.get_by_role("link", name="Joseph Mallord William Turner").is_visible()
    axe_check(page)


def test_object_entry_then_accession_on_a_tablet(live_server, tablet_page, signed_in,
                                                 axe_check):
    from catalog.parties.services import create_party
    from catalog.users.models import User

    page = tablet_page
    depositor = f"Depositor {uuid.uuid4().hex[:6]}"
    user = live_server.create_user("registrar")
    with live_server.session() as session:
        create_party(session, actor=session.get(User, user.id), name=depositor,
                     roles=["donor"], address="1 High Street")
    signed_in(page, "registrar")
    page.goto(f"{live_server.url}/procedures/entries/new")
    axe_check(page)
    page.get_by_label("Depositor").fill(depositor)
    page.get_by_label("Entry date").fill("2026-04-02")
    page.locator("#objects-0-object_name").fill("clock")
    page.locator("#objects-0-brief_description").fill("Brass carriage clock")
    page.get_by_role("button", name="Record entry").tap()
    page.wait_for_url(re.compile(r".*/procedures/entries/\d+$"))
    heading = page.get_by_role("heading", level=1).inner_text()
    entry_number = heading.removeprefix("Object entry ").strip()
    assert entry_number.startswith("IN2026.")
    receipt = page.request.get(live_server.url + page.get_by_role(
        "link", name="Receipt (PDF)").get_attribute("href"))
    assert receipt.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name="Acquire and accession").tap()
    page.wait_for_url("**/procedures/acquisitions/new?entry=*")
    axe_check(page)
    page.get_by_label("Acquisition date").fill("2026-05-01")
    page.get_by_label("Credit line").fill(f"Given by {depositor}, 2026")
    page.get_by_role("button", name="Accession").tap()
    page.wait_for_url(re.compile(r".*/procedures/acquisitions/\d+$"))
    assert page.get_by_text("accessioned as 2026.").is_visible()
    page.locator("table a").first.tap()
    page.wait_for_url(re.compile(r".*/objects/\d+$"))
    assert page.get_by_text(f"{entry_number}.1").first.is_visible()  # kept as other number
    assert page.get_by_role("link", name=entry_number).is_visible()  # the entry procedure
    axe_check(page)
    page.goto(f"{live_server.url}/objects/backlog")
    axe_check(page)
