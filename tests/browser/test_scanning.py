"""The tablet scanning page in Chromium at tablet size: camera decoder, keyboard wedge, offline."""

from __future__ import annotations

import base64
import io
import uuid
from datetime import timedelta
from typing import Any

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.browser


def _records(live_server: Any, *, objects: int = 2) -> dict[str, Any]:
    """A store, a box and some objects in the store, with unique codes and numbers."""
    from catalog.core.db import utcnow
    from catalog.locations.models import Location
    from catalog.locations.services import move_objects
    from catalog.objects.models import CatalogueObject
    from catalog.objects.numbers import natural_sort_key, normalise_number

    tag = uuid.uuid4().hex[:6].upper()
    with live_server.session() as session:
        store = Location(code=f"ST-{tag}", name="Basement store")
        box = Location(code=f"BX-{tag}", name="Archive box", parent=store, is_container=True,
                       kind="box")
        session.add_all([store, box])
        session.flush()
        created = []
        for n in range(1, objects + 1):
            number = f"B{tag}.{n}"
            obj = CatalogueObject(object_number=number, number_key=normalise_number(number),
                                  sort_key=natural_sort_key(number), title=f"Teapot {n}")
            session.add(obj)
            created.append(obj)
        session.flush()
        move_objects(session, objects=created, to_location=store, actor=None,
                     moved_at=utcnow() - timedelta(days=1))
        return {"store": (store.id, store.code), "box": (box.id, box.code),
                "objects": [(o.id, o.object_number) for o in created]}


def _label_png(live_server: Any, object_id: int) -> str:
    """A real label (the PDF the label page makes), rasterised, as a data: URL."""
    from catalog.labels.layouts import LAYOUTS
    from catalog.labels.render import render_labels
    from catalog.labels.services import object_label
    from catalog.objects.models import CatalogueObject

    with live_server.session() as session:
        item = object_label(session.get(CatalogueObject, object_id), live_server.url)
    pdf = render_labels([item], LAYOUTS["roll-62x29"])
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=200 / 72).to_pil()
    document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _open_scanner(page: Any, live_server: Any, signed_in: Any, role: str = "technician") -> Any:
    user = signed_in(page, role)
    page.goto(f"{live_server.url}/scan")
    page.wait_for_selector("#scanner[data-ready='true']")
    return user


def _movements(live_server: Any, object_id: int) -> list[Any]:
    from catalog.locations.models import Movement

    with live_server.session() as session:
        return list(session.execute(sa.select(Movement.to_location_id, Movement.method)
                                    .where(Movement.object_id == object_id)
                                    .order_by(Movement.id)).all())


def test_camera_decoder_reads_a_printed_label(page, live_server, signed_in):
    from catalog.scanning import codes

    records = _records(live_server, objects=1)
    object_id, number = records["objects"][0]
    _open_scanner(page, live_server, signed_in)
    data_url = _label_png(live_server, object_id)
    decoded = page.evaluate("""async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        return await window.catalogScanner.decodeImage(img);
    }""", data_url)
    assert decoded == f"{live_server.url}/s/{codes.object_code(object_id)}"
    entry = page.locator("#scan-list li").first
    entry.locator(".badge-recorded").wait_for()
    assert number in entry.inner_text()
    assert number in page.locator("#scan-prompt").inner_text()


def test_keyboard_wedge_move_then_undo(page, live_server, signed_in):
    from catalog.scanning import codes

    records = _records(live_server, objects=2)
    (first_id, first), (second_id, _) = records["objects"]
    box_id, box_code = records["box"]
    _open_scanner(page, live_server, signed_in)
    page.get_by_role("tab", name="Move").click()
    scan_input = page.locator("#scan-input")
    # A hardware scanner "types" the QR payload and presses Enter.
    scan_input.press_sequentially(f"{live_server.url}/s/{codes.location_code(box_id)}")
    scan_input.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('move-target').textContent.includes('BX-')")
    for text in (first, f"{live_server.url}/s/{codes.object_code(second_id)}"):
        scan_input.press_sequentially(text)
        scan_input.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#move-pending li').length === 2")
    page.get_by_role("button", name="Confirm move of 2").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#scan-list li[data-status=recorded]').length === 2")
    assert _movements(live_server, first_id)[-1] == (box_id, "scan")
    assert _movements(live_server, second_id)[-1] == (box_id, "scan")
    page.get_by_role("button", name="Undo last scan").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#scan-list li[data-status=undone]').length"
                           " === 1")
    assert _movements(live_server, second_id)[-1][0] == records["store"][0]
    assert box_code


def test_offline_scans_wait_and_are_recorded_exactly_once(page, live_server, signed_in):
    from catalog.scanning.models import Scan

    records = _records(live_server, objects=3)
    box_id, box_code = records["box"]
    user = _open_scanner(page, live_server, signed_in)
    page.get_by_role("tab", name="Move").click()
    scan_input = page.locator("#scan-input")
    scan_input.press_sequentially(box_code)
    scan_input.press("Enter")
    page.wait_for_function(
        "() => document.getElementById('move-target').textContent.includes('BX-')")

    page.context.set_offline(True)
    page.wait_for_function(
        "() => document.getElementById('net-status').textContent === 'Offline'")
    for _, number in records["objects"]:
        scan_input.press_sequentially(number)
        scan_input.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#move-pending li').length === 3")
    page.get_by_role("button", name="Confirm move of 3").click()
    page.wait_for_function(
        "() => document.querySelectorAll('#scan-list li[data-status=waiting]').length === 3")
    assert "3 waiting" in page.locator("#queue-status").inner_text()
    for object_id, _ in records["objects"]:
        assert _movements(live_server, object_id)[-1][0] == records["store"][0]

    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.querySelectorAll('#scan-list li[data-status=recorded]').length === 3",
        timeout=20_000)
    assert page.locator("#queue-status").inner_text() == ""
    # A tablet that never heard the answers sends everything again: nothing is recorded twice.
    page.evaluate("""async () => {
        const token = document.querySelector('meta[name="csrf-token"]').content;
        for (const e of window.catalogScanner.state.entries) {
            await fetch('/api/v1/scans/', {method: 'POST', credentials: 'same-origin',
                headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                body: JSON.stringify(e.body)});
        }
    }""")
    for object_id, _ in records["objects"]:
        moves = _movements(live_server, object_id)
        assert moves.count((box_id, "scan")) == 1
    with live_server.session() as session:
        scans = session.scalars(sa.select(Scan).where(Scan.user_id == user.id)).all()
        assert len(scans) == 3
        assert {s.status for s in scans} == {"recorded"}


def test_inventory_mode_shows_what_is_missing(page, live_server, signed_in):
    from catalog.scanning import codes

    records = _records(live_server, objects=3)
    store_id, _ = records["store"]
    _open_scanner(page, live_server, signed_in)
    page.get_by_role("tab", name="Inventory").click()
    scan_input = page.locator("#scan-input")
    scan_input.press_sequentially(f"{live_server.url}/s/{codes.location_code(store_id)}")
    scan_input.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#inventory-missing li').length === 3")
    scan_input.press_sequentially(records["objects"][0][1])
    scan_input.press("Enter")
    page.wait_for_function(
        "() => document.querySelectorAll('#inventory-missing li').length === 2")
    assert "1 found, 2 still missing" in page.locator("#inventory-counts").inner_text()
    missing = page.locator("#inventory-missing").inner_text()
    assert records["objects"][1][1] in missing
    assert records["objects"][2][1] in missing


def test_scan_labels_and_inventory_pages_are_accessible(page, live_server, signed_in, axe_check):
    signed_in(page, "collections_manager")
    for path in ("/scan", "/labels/", "/inventory/", "/inventory/overdue", "/scan/history"):
        page.goto(f"{live_server.url}{path}")
        axe_check(page)


def test_scanning_page_opens_again_offline_from_the_service_worker(page, live_server,
                                                                   signed_in):
    records = _records(live_server, objects=1)
    _open_scanner(page, live_server, signed_in)
    page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now controlled by the worker, which keeps a copy of the page
    page.wait_for_selector("#scanner[data-ready='true']")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    page.wait_for_selector("#scanner[data-ready='true']")
    scan_input = page.locator("#scan-input")
    scan_input.press_sequentially(records["objects"][0][1])
    scan_input.press("Enter")
    page.locator("#scan-list li[data-status=waiting]").wait_for()
    page.context.set_offline(False)
    page.locator("#scan-list li[data-status=recorded]").wait_for(timeout=20_000)


def _y4m_of_label(live_server: Any, object_id: int, path: Any) -> None:
    """A one-frame Y4M video (what Chromium's fake camera plays) showing a printed label."""
    from PIL import Image

    data_url = _label_png(live_server, object_id)
    label = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGB")
    label.thumbnail((600, 440))
    frame = Image.new("RGB", (640, 480), "white")
    frame.paste(label, ((640 - label.width) // 2, (480 - label.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (320, 240)
    with open(path, "wb") as stream:
        stream.write(b"YUV4MPEG2 W640 H480 F10:1 Ip A1:1 C420jpeg\n")
        stream.write(b"FRAME\n")
        stream.write(y.tobytes())
        stream.write(cb.resize(half).tobytes())
        stream.write(cr.resize(half).tobytes())


def test_fake_camera_scans_a_label(browser, live_server, signed_in, tmp_path):
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TABLET

    records = _records(live_server, objects=1)
    object_id, number = records["objects"][0]
    video = tmp_path / "label.y4m"
    _y4m_of_label(live_server, object_id, video)
    camera_browser = browser.browser_type.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera_browser.new_context(**TABLET, permissions=["camera"])
        context.set_default_timeout(15_000)
        page = context.new_page()
        _open_scanner(page, live_server, signed_in)
        page.get_by_role("button", name="Start camera").click()
        entry = page.locator("#scan-list li[data-status=recorded]").first
        entry.wait_for()
        assert number in entry.inner_text()
        page.get_by_role("button", name="Stop camera").click()
        context.close()
    finally:
        camera_browser.close()


def test_a_box_scanned_after_the_target_moves_with_its_contents(page, live_server, signed_in):
    from catalog.locations.models import Location

    records = _records(live_server, objects=1)
    box_id, box_code = records["box"]
    with live_server.session() as session:
        shelf = Location(code=f"SH-{uuid.uuid4().hex[:6]}", name="Shelf")
        session.add(shelf)
        session.flush()
        shelf_id, shelf_code = shelf.id, shelf.code
    _open_scanner(page, live_server, signed_in)
    page.get_by_role("tab", name="Move").click()
    scan_input = page.locator("#scan-input")
    for text in (shelf_code, box_code):
        scan_input.press_sequentially(text)
        scan_input.press("Enter")
    page.locator("#move-pending li", has_text="(container)").wait_for()
    page.get_by_role("button", name="Confirm move of 1").click()
    page.locator("#scan-list li[data-status=recorded]").wait_for()
    with live_server.session() as session:
        assert session.get(Location, box_id).parent_id == shelf_id


def test_offline_move_overtaken_meanwhile_comes_back_as_a_conflict(page, live_server,
                                                                   signed_in):
    from catalog.locations.models import Location
    from catalog.locations.services import move_objects
    from catalog.objects.models import CatalogueObject

    records = _records(live_server, objects=1)
    object_id, number = records["objects"][0]
    box_id, box_code = records["box"]
    _open_scanner(page, live_server, signed_in)
    page.get_by_role("tab", name="Move").click()
    scan_input = page.locator("#scan-input")
    scan_input.press_sequentially(box_code)
    scan_input.press("Enter")
    page.locator("#move-target", has_text=box_code).wait_for()
    page.context.set_offline(True)
    page.locator("#net-status", has_text="Offline").wait_for()
    scan_input.press_sequentially(number)
    scan_input.press("Enter")
    page.get_by_role("button", name="Confirm move of 1").click()
    page.locator("#scan-list li[data-status=waiting]").wait_for()
    # Meanwhile a colleague moves the object somewhere else.
    with live_server.session() as session:
        elsewhere = Location(code=f"EL-{uuid.uuid4().hex[:6]}", name="Conservation studio")
        session.add(elsewhere)
        session.flush()
        move_objects(session, objects=[session.get(CatalogueObject, object_id)],
                     to_location=elsewhere, actor=None)
        elsewhere_id, elsewhere_code = elsewhere.id, elsewhere.code
    page.context.set_offline(False)
    conflict = page.locator("#scan-list li[data-status=conflict]")
    conflict.wait_for(timeout=20_000)
    assert elsewhere_code in conflict.inner_text()
    assert _movements(live_server, object_id)[-1][0] == elsewhere_id  # nothing moved silently
    assert box_id != elsewhere_id
