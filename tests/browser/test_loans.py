"""Browser tests: a loan through its whole workflow, and the schedule showing a conflict."""

from __future__ import annotations

import re
import uuid
from datetime import date
from pathlib import Path

import pytest

if not (Path(__file__).parent / "conftest.py").exists():  # the harness arrives with main
    pytest.skip("the browser harness is not installed", allow_module_level=True)

from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _objects(live_server, count=2):
    from tests.loans.factories import stored_object

    numbers = []
    with live_server.session() as session:
        for i in range(count):
            obj = stored_object(session, number=f"BR.{uuid.uuid4().hex[:6]}.{i}",
                                title=f"Browser test object {i}", materials="oil on canvas")
            numbers.append(obj.object_number)
    return numbers


def test_loan_out_workflow(live_server, page, signed_in, axe_check):
    numbers = _objects(live_server)
    signed_in(page, "collections_manager")
    page.goto(live_server.url + "/loans/")
    page.get_by_role("link", name="New loan out").click()
    borrower = f"Harbour Gallery {uuid.uuid4().hex[:4]}"
    page.get_by_label("Borrower or lender").fill(borrower)
    page.get_by_label("Exhibition", exact=True).fill("Painting the Sea")
    page.get_by_label("Start of loan").fill("2027-03-01")
    page.get_by_label("End of loan").fill("2027-06-30")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#loan-status")).to_have_text("Requested")
    axe_check(page)
    heading = page.get_by_role("heading", level=1).inner_text()
    number = re.search(r"LO\.\d{4}\.\d+", heading).group(0)

    for object_number in numbers:
        page.get_by_label("Object number").fill(object_number)
        page.get_by_role("button", name="Add object").click()
        expect(page.locator("#loan-objects")).to_contain_text(object_number)

    # A step out of order is refused with what to do instead.
    page.get_by_role("button", name="Approve").click()
    expect(page.locator("#loan-status")).to_have_text("Approved")
    page.get_by_role("button", name="Agreement signed").click()
    expect(page.locator("#loan-status")).to_have_text("Agreement signed")
    page.get_by_label("Date", exact=True).fill("2027-02-26")
    page.get_by_role("button", name="Dispatch").click()
    expect(page.locator("#loan-status")).to_have_text("Dispatched")
    expect(page.locator("#loan-objects")).to_contain_text("off site")
    page.get_by_role("button", name="On display").click()
    expect(page.locator("#loan-status")).to_have_text("On display")

    # Partial return: the first object comes back early.
    page.get_by_label(f"Returned: {numbers[0]}").check()
    page.get_by_label("Returned on").fill("2027-05-02")
    page.get_by_role("button", name="Record return of the ticked objects").click()
    expect(page.locator("#loan-status")).to_have_text("On display")
    expect(page.locator("#loan-events")).to_contain_text("return object")
    # A return dated before dispatch is refused, saying what to do.
    page.get_by_label(f"Returned: {numbers[1]}").check()
    page.get_by_label("Returned on").fill("2027-01-01")
    page.get_by_role("button", name="Record return of the ticked objects").click()
    expect(page.locator("main")).to_contain_text("enter the date the objects actually")
    page.get_by_label(f"Returned: {numbers[1]}").check()
    page.get_by_label("Returned on").fill("2027-07-01")
    page.get_by_role("button", name="Record return of the ticked objects").click()
    expect(page.locator("#loan-status")).to_have_text("Returned")
    page.get_by_role("button", name="Close").click()
    expect(page.locator("#loan-status")).to_have_text("Closed")
    events = page.locator("#loan-events")
    for step in ("approve", "sign agreement", "dispatch", "install", "return", "close"):
        expect(events).to_contain_text(step)
    assert number in page.title()


def test_schedule_shows_a_conflict_and_adding_needs_an_override(live_server, page, signed_in,
                                                                axe_check):
    from catalog.loans import services
    from tests.loans.factories import make_loan

    [shared] = _objects(live_server, 1)
    with live_server.session() as session:
        from catalog.loans.services import find_object

        obj = find_object(session, shared)
        first = make_loan(session, start=date(2027, 4, 1), end=date(2027, 7, 31),
                          exhibition_title="First show")
        services.add_object(session, first, obj, actor=None)
        second = make_loan(session, start=date(2027, 6, 1), end=date(2027, 9, 30),
                           exhibition_title="Second show")
        first_number, second_id, second_number = first.number, second.id, second.number
    signed_in(page, "collections_manager")
    page.goto(f"{live_server.url}/loans/{second_id}")
    page.get_by_label("Object number").fill(shared)
    page.get_by_role("button", name="Add object").click()
    expect(page.locator("#object_number-errors")).to_contain_text(
        f"already committed to loan {first_number}")
    page.get_by_label("Add despite the conflicts").check()
    page.get_by_label("Reason for the override").fill("Lent to venue 2 only, agreed by curator")
    page.get_by_role("button", name="Add object").click()
    expect(page.locator("#loan-conflicts")).to_contain_text(first_number)

    page.goto(live_server.url + "/loans/schedule?from=2027-01&months=12")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text(first_number)
    expect(timeline).to_contain_text(second_number)
    conflict_rows = page.locator(".tl-object.tl-conflict", has_text=shared)
    expect(conflict_rows).to_have_count(2)
    expect(page.locator(".tl-conflict-list").first).to_contain_text("already committed")
    bar = page.locator(".tl-loan", has_text=second_number).locator(".tl-bar")
    axe_check(page)
    box = bar.bounding_box()
    assert box is not None
    assert box["width"] > 50


def _wait_for_images(page):
    # Marks are placed in percent of the photo: measure only once the photo has its size.
    page.wait_for_function("() => [...document.querySelectorAll('.annotated img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")


def test_condition_report_with_an_annotated_photo(live_server, page, signed_in, tmp_path):
    from PIL import Image

    [number] = _objects(live_server, 1)
    signed_in(page, "conservator")
    page.goto(f"{live_server.url}/conditions/new?object={number}")
    page.get_by_label("Overall condition").select_option("fair")
    page.locator("#areas-0-note").fill("Scratch across the sky")
    page.get_by_role("button", name="Save report").click()
    expect(page.locator("#overall")).to_have_text("Fair")
    photo = tmp_path / "recto.jpg"
    Image.new("RGB", (800, 600), (90, 120, 160)).save(photo, "JPEG")
    page.locator("#photo").set_input_files(str(photo))
    page.get_by_role("button", name="Upload photo").click()
    image = page.locator(".annotated img").first
    expect(image).to_be_visible()
    _wait_for_images(page)
    box = image.bounding_box()
    assert box is not None
    image.click(position={"x": box["width"] / 2, "y": box["height"] / 4})
    across = int(page.locator("input[name=x]").first.input_value())
    assert 450 <= across <= 550
    page.get_by_label("What the mark shows").fill("Scratch, 4 cm")
    page.get_by_role("button", name="Add mark").click()
    marker = page.locator(".an-marker").first
    expect(marker).to_have_text("1")
    expect(page.locator(".an-notes")).to_contain_text("Scratch, 4 cm")
    _wait_for_images(page)
    marker_box = marker.bounding_box()
    image_box = page.locator(".annotated img").first.bounding_box()
    assert marker_box is not None
    assert image_box is not None
    centre = marker_box["x"] + marker_box["width"] / 2 - image_box["x"]
    assert abs(centre - image_box["width"] / 2) < 12  # the mark sits where it was tapped
