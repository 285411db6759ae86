"""OAI-PMH 2.0 provider: every verb's answer is schema-valid; errors as the standard says."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from lxml import etree

from catalog.locations.models import Location
from catalog.objects.models import CatalogueObject, ObjectMaker
from catalog.parties.models import Party
from tests.interchange.xmlschemas import assert_valid, oai_schema

OAI = "http://www.openarchives.org/OAI/2.0/"
NS = {"oai": OAI, "dc": "http://purl.org/dc/elements/1.1/", "lido": "http://www.lido-schema.org"}
ID = "oai:catalog.test:object/"
DATESTAMPS: dict[int, datetime] = {}


def oai(client: Any, **args: str) -> etree._Element:
    response = client.get("/oai", query_string=args)
    assert response.status_code == 200
    assert response.content_type == "text/xml; charset=utf-8"
    return assert_valid(oai_schema(), response.data)


def error_codes(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.iterfind("oai:error", NS)]


def make(session: Any, number: str, *, published: bool = True, department: str | None = None,
         status: str = "accessioned", updated: datetime | None = None, **kw: Any) -> Any:
    when = updated or datetime(2024, 5, 1, 12, 0, 0, 500_000, tzinfo=UTC)
    obj = CatalogueObject(object_number=number, number_key=number.upper(), sort_key=number,
                          title=f"Title of {number}", is_published=published,
                          department=department, status=status, created_at=when,
                          updated_at=when, **kw)
    session.add(obj)
    session.flush()
    DATESTAMPS[obj.id] = when
    return obj


@pytest.fixture
def museum(db_session: Any) -> dict[str, Any]:
    DATESTAMPS.clear()
    store = Location(code="SECRET-STORE-7", name="Basement strongroom")
    donor = Party(name="Ada Painter", sort_name="Painter, Ada", email="ada@example.org",
                  phone="+44 20 7946 0000")
    db_session.add_all([store, donor])
    db_session.flush()
    painting = make(db_session, "2024.1.1", department="Prints & Drawings",
                    current_location_id=store.id, home_location_id=store.id,
                    credit_line="Given by a friend", materials="ink")
    painting.makers = [ObjectMaker(party=donor, role="artist")]
    records = {
        "painting": painting,
        "vase": make(db_session, "2024.1.2", department="Ceramics",
                     updated=datetime(2025, 1, 2, 8, 30, tzinfo=UTC)),
        "hidden": make(db_session, "2024.1.3", published=False, department="Ceramics"),
        "gone": make(db_session, "2024.1.4", status="deaccessioned", department="Ceramics",
                     updated=datetime(2025, 3, 1, tzinfo=UTC)),
    }
    db_session.flush()
    # Datestamps as the test says (flushing makers or the search text touches updated_at).
    for obj_id, when in DATESTAMPS.items():
        db_session.execute(sa.update(CatalogueObject).where(CatalogueObject.id == obj_id)
                           .values(updated_at=when))
    DATESTAMPS.clear()
    db_session.expire_all()
    # Requests end with a rollback (GET); what the test set up must outlive them.
    db_session.commit()
    return records


def identifiers(root: etree._Element) -> list[str]:
    return [e.text for e in root.iterfind(".//oai:header/oai:identifier", NS)]


def test_identify_formats_and_sets(client: Any, museum: dict[str, Any]) -> None:
    identify = oai(client, verb="Identify")
    assert identify.findtext(".//oai:baseURL", namespaces=NS) == "http://catalog.test/oai"
    assert identify.findtext(".//oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext(".//oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext(".//oai:earliestDatestamp", namespaces=NS) == "2024-05-01T12:00:00Z"

    formats = oai(client, verb="ListMetadataFormats")
    assert [e.text for e in formats.iterfind(".//oai:metadataPrefix", NS)] == ["oai_dc", "lido"]
    one = oai(client, verb="ListMetadataFormats", identifier=f"{ID}{museum['vase'].id}")
    assert len(one.findall(".//oai:metadataFormat", NS)) == 2

    sets = oai(client, verb="ListSets")
    specs = {e.findtext("oai:setSpec", namespaces=NS): e.findtext("oai:setName", namespaces=NS)
             for e in sets.iterfind(".//oai:set", NS)}
    assert specs == {"department": "Departments", "department:ceramics": "Ceramics",
                     "department:prints-drawings": "Prints & Drawings"}


def test_lists_expose_only_published_records(client: Any, museum: dict[str, Any]) -> None:
    listed = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    expected = [f"{ID}{museum[k].id}" for k in ("painting", "vase", "gone")]
    assert identifiers(listed) == expected
    deleted = listed.findall(".//oai:header[@status='deleted']", NS)
    assert [h.findtext("oai:identifier", namespaces=NS) for h in deleted] == [expected[2]]
    painting = listed.find(".//oai:header", NS)
    assert painting.findtext("oai:datestamp", namespaces=NS) == "2024-05-01T12:00:00Z"
    assert painting.findtext("oai:setSpec", namespaces=NS) == "department:prints-drawings"

    for prefix in ("oai_dc", "lido"):
        records = oai(client, verb="ListRecords", metadataPrefix=prefix)
        assert identifiers(records) == expected
        # A deleted record has a header and no metadata.
        assert len(records.findall(".//oai:metadata", NS)) == 2
        text = etree.tostring(records)
        for secret in (b"SECRET-STORE-7", b"strongroom", b"ada@example.org", b"7946"):
            assert secret not in text
    dc = oai(client, verb="GetRecord", identifier=expected[0], metadataPrefix="oai_dc")
    assert dc.findtext(".//dc:title", namespaces=NS) == "Title of 2024.1.1"
    assert dc.findtext(".//dc:creator", namespaces=NS) == "Ada Painter"
    assert dc.findtext(".//dc:identifier", namespaces=NS) == "2024.1.1"
    lido = oai(client, verb="GetRecord", identifier=expected[0], metadataPrefix="lido")
    assert lido.findtext(".//lido:workID", namespaces=NS) == "2024.1.1"
    gone = oai(client, verb="GetRecord", identifier=expected[2], metadataPrefix="lido")
    assert gone.find(".//oai:header", NS).get("status") == "deleted"
    assert gone.find(".//oai:metadata", NS) is None


def test_sets_and_dates_select_records(client: Any, museum: dict[str, Any]) -> None:
    def ids(**args: str) -> list[int]:
        root = oai(client, verb="ListIdentifiers", metadataPrefix="lido", **args)
        return [int(i.rsplit("/", 1)[1]) for i in identifiers(root)]

    vase, gone, painting = museum["vase"].id, museum["gone"].id, museum["painting"].id
    assert ids(set="department:ceramics") == [vase, gone]
    assert ids(set="department") == [painting, vase, gone]
    assert ids(**{"from": "2025-01-01"}) == [vase, gone]
    assert ids(**{"from": "2025-01-02T08:30:00Z", "until": "2025-01-02T08:30:00Z"}) == [vase]
    assert ids(until="2024-05-01") == [painting]
    # The datestamp shown is to the second; "until" that second includes the record.
    assert ids(until="2024-05-01T12:00:00Z") == [painting]
    early = oai(client, verb="ListIdentifiers", metadataPrefix="lido", until="2024-05-01T11:59:59Z")
    assert error_codes(early) == ["noRecordsMatch"]


def test_resumption_tokens_page_through_everything_once(app: Any, client: Any,
                                                        db_session: Any,
                                                        monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "OAI_PAGE_SIZE", 4)
    made = [make(db_session, f"R.{n}").id for n in range(10)]
    db_session.commit()
    seen: list[str] = []
    root = oai(client, verb="ListRecords", metadataPrefix="oai_dc")
    cursors = []
    while True:
        seen += identifiers(root)
        token = root.find(".//oai:resumptionToken", NS)
        assert token is not None
        assert token.get("completeListSize") == "10"
        cursors.append(token.get("cursor"))
        if not token.text:
            break
        root = oai(client, verb="ListRecords", resumptionToken=token.text)
    assert seen == [f"{ID}{i}" for i in made]
    assert cursors == ["0", "4", "8"]


@pytest.mark.parametrize(("args", "code"), [
    ({}, "badVerb"),
    ({"verb": "Harvest"}, "badVerb"),
    ({"verb": ["Identify", "Identify"]}, "badVerb"),
    ({"verb": "Identify", "extra": "1"}, "badArgument"),
    ({"verb": "ListRecords"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": ["oai_dc", "lido"]}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-13-45"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01",
      "until": "2024-02-01T00:00:00Z"}, "badArgument"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2025-01-01",
      "until": "2024-01-01"}, "badArgument"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "oai_dc", "resumptionToken": "x"},
     "badArgument"),
    ({"verb": "GetRecord", "identifier": f"{ID}1"}, "badArgument"),
    ({"verb": "ListRecords", "resumptionToken": "garbage"}, "badResumptionToken"),
    ({"verb": "ListSets", "resumptionToken": "anything"}, "badResumptionToken"),
    ({"verb": "ListRecords", "metadataPrefix": "marc21"}, "cannotDisseminateFormat"),
    ({"verb": "GetRecord", "identifier": "oai:elsewhere:1", "metadataPrefix": "oai_dc"},
     "idDoesNotExist"),
    ({"verb": "ListMetadataFormats", "identifier": f"{ID}999999"}, "idDoesNotExist"),
    ({"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "department:none"},
     "noRecordsMatch"),
    ({"verb": "ListIdentifiers", "metadataPrefix": "lido", "from": "2999-01-01"},
     "noRecordsMatch"),
])  # fmt: skip
def test_errors_are_answered_as_the_standard_says(client: Any, museum: dict[str, Any],
                                                   args: dict[str, Any], code: str) -> None:
    root = oai(client, **args)
    assert error_codes(root) == [code]
    echoed = root.find("oai:request", NS)
    if code in ("badVerb", "badArgument"):
        assert dict(echoed.attrib) == {}
    else:
        assert echoed.get("verb") == args["verb"]


def test_unpublished_records_do_not_exist(client: Any, museum: dict[str, Any]) -> None:
    root = oai(client, verb="GetRecord", identifier=f"{ID}{museum['hidden'].id}",
               metadataPrefix="oai_dc")
    assert error_codes(root) == ["idDoesNotExist"]


def test_tampered_and_foreign_tokens_are_refused(app: Any, client: Any, db_session: Any,
                                                 monkeypatch: Any) -> None:
    monkeypatch.setitem(app.config, "OAI_PAGE_SIZE", 1)
    make(db_session, "T.1")
    make(db_session, "T.2")
    db_session.commit()
    first = oai(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    token = first.findtext(".//oai:resumptionToken", namespaces=NS)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert error_codes(oai(client, verb="ListIdentifiers", resumptionToken=forged)) == [
        "badResumptionToken"]
    # A ListIdentifiers token does not continue a ListRecords list.
    assert error_codes(oai(client, verb="ListRecords", resumptionToken=token)) == [
        "badResumptionToken"]


def test_post_requests_are_answered_too(client: Any, museum: dict[str, Any]) -> None:
    response = client.post("/oai", data={"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"})
    assert response.status_code == 200
    assert len(identifiers(assert_valid(oai_schema(), response.data))) == 3


@pytest.fixture
def live_oai(app: Any) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/oai"
    finally:
        server.shutdown()
        thread.join(5)


def test_sickle_harvests_every_published_record_once(app: Any, committed_db: Any,
                                                     monkeypatch: Any, live_oai: str) -> None:
    from sickle import Sickle

    from tests.interchange.conftest import load_tate

    monkeypatch.setitem(app.config, "OAI_PAGE_SIZE", 7)
    objects = load_tate(committed_db, 60)
    objects[2].status = "deaccessioned"
    committed_db.commit()
    published = {f"{ID}{o.id}" for o in objects if o.is_published}
    assert len(published) == 30

    sickle = Sickle(live_oai, max_retries=0, timeout=30)
    harvested = [h.identifier for h in sickle.ListIdentifiers(metadataPrefix="oai_dc",
                                                               ignore_deleted=False)]
    assert sorted(harvested) == sorted(published)
    assert len(harvested) == len(set(harvested))

    records = list(sickle.ListRecords(metadataPrefix="lido", ignore_deleted=True))
    assert len(records) == 29
    assert {r.header.identifier for r in records} == published - {f"{ID}{objects[2].id}"}
    dc = list(sickle.ListRecords(metadataPrefix="oai_dc", ignore_deleted=True))
    assert {r.metadata["identifier"][0] for r in dc} == {
        o.object_number for o in objects if o.is_published and o.status != "deaccessioned"}


def test_images_of_published_objects_are_linked_and_served(app: Any, client: Any,
                                                           db_session: Any,
                                                           make_user: Any) -> None:
    import io

    from PIL import Image

    from catalog.objects.images import add_image

    registrar = make_user("registrar")
    shown = make(db_session, "IMG.1")
    hidden = make(db_session, "IMG.2", published=False)
    png = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(png, "PNG")
    images = [add_image(db_session, obj, actor=registrar, data=png.getvalue(),
                        filename="photo.png", config=app.config, caption="Front")
              for obj in (shown, hidden)]
    db_session.commit()
    lido = oai(client, verb="GetRecord", identifier=f"{ID}{shown.id}", metadataPrefix="lido")
    link = lido.find(".//lido:resourceSet/lido:resourceRepresentation/lido:linkResource", NS)
    assert link.text == f"http://catalog.test/oai/images/{images[0].id}/medium"
    with client.get(f"/oai/images/{images[0].id}/medium") as served:
        assert served.status_code == 200
        assert served.content_type == "image/jpeg"
        assert served.data[:2] == b"\xff\xd8"  # a JPEG
    assert client.get(f"/oai/images/{images[1].id}/medium").status_code == 404
    assert client.get(f"/oai/images/{images[0].id}/original").status_code == 404
