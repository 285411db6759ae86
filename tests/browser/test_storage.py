"""Storage in a real browser: moving objects on a tablet and the environment charts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.locations.factories import make_location, make_object

pytestmark = pytest.mark.browser
expect = pytest.importorskip("playwright.sync_api").expect


def test_move_objects_and_refusal(live_server, page, signed_in, axe_check):
    tag = uuid.uuid4().hex[:6].upper()
    with live_server.session() as s:
        room = make_location(s, f"R-{tag}", kind="room", target_preset="bizot2023")
        make_location(s, f"SH-{tag}", kind="shelf", parent=room, name="Shelf one")
        make_location(s, f"FULL-{tag}", kind="shelf", parent=room, capacity=1)
        for i in (1, 2):
            make_object(s, f"BR.{tag}.{i}")
    signed_in(page, "technician")
    page.goto(f"{live_server.url}/locations/move")
    axe_check(page)
    page.get_by_label("Object numbers").fill(f"BR.{tag}.1\nBR.{tag}.2")
    page.get_by_label("To location (code)").fill(f"FULL-{tag}")
    page.get_by_role("button", name="Move").tap()
    expect(page.get_by_text(f"FULL-{tag} holds 0 of 1 objects; 2 more do not fit")).to_be_visible()
    page.get_by_label("To location (code)").fill(f"sh-{tag}")
    page.get_by_role("button", name="Move").tap()
    page.wait_for_url(f"{live_server.url}/locations/*")
    expect(page.get_by_text(f"2 object(s) moved to SH-{tag}.")).to_be_visible()
    expect(page.get_by_role("link", name=f"BR.{tag}.1")).to_be_visible()
    page.get_by_role("link", name=f"BR.{tag}.1").tap()
    # the object record shows the location partial with its history and a Move button
    expect(page.get_by_role("link", name="Move", exact=True)).to_be_visible()
    page.get_by_role("link", name="Location history").tap()
    expect(page.get_by_role("heading", name=f"Location history of BR.{tag}.1")).to_be_visible()
    page.get_by_label("Where was it on").fill(datetime.now(UTC).date().isoformat())
    page.get_by_role("button", name="Look up").tap()
    expect(page.locator("#where-was")).to_contain_text(f"SH-{tag}")


def test_environment_page_draws_charts(live_server, page, signed_in, axe_check):
    from catalog.environment.models import Sensor
    from catalog.environment.parsers import ParsedReading
    from catalog.environment.services import store_readings

    tag = uuid.uuid4().hex[:6].upper()
    with live_server.session() as s:
        room = make_location(s, f"ENV-{tag}", kind="room", target_preset="bizot2023")
        sensor = Sensor(code=f"TT-{tag}", name="Logger", kind="tinytag", location=room)
        s.add(sensor)
        s.flush()
        start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
        readings = [ParsedReading(start + timedelta(minutes=15 * i), 20 + (i % 10) / 10,
                                  50 + (12 if 100 < i < 140 else 0), None, i)
                    for i in range(288)]
        store_readings(s, sensor, readings, source="test", actor=None)
        room_id = room.id
    signed_in(page, "viewer")
    page.goto(f"{live_server.url}/environment/locations/{room_id}?range=7d")
    page.wait_for_selector("#chart-rh[data-ready='1'] canvas")
    assert page.locator("#chart-temp canvas").count() == 1
    assert "points" in page.locator("#chart-status").inner_text()
    expect(page.get_by_role("heading", name="Daily minimum, maximum and mean")).to_be_visible()
    assert "%" in page.locator("#time-in-range").inner_text()
    assert page.locator("#daily-stats tbody tr").count() >= 3
    axe_check(page)
