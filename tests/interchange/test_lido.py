"""LIDO 1.1 export: valid against the official schema, with the catalogue's fields mapped."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from lxml import etree

from catalog.interchange.lido import LIDO_NS, LidoContext, iter_objects, write_lido
from catalog.objects.models import CatalogueObject, ObjectMaker
from catalog.parties.models import Party
from tests.interchange.xmlschemas import assert_valid, lido_schema

NS = {"lido": LIDO_NS}
CONTEXT = LidoContext(museum_name="Catalog Museum", base_url="http://catalog.test")


def export(session: Any, stmt: Any = None) -> etree._Element:
    out = io.BytesIO()
    write_lido(out, iter_objects(session, stmt if stmt is not None
                                 else sa.select(CatalogueObject), batch=7), CONTEXT)
    return assert_valid(lido_schema(), out.getvalue())


def test_real_records_export_as_valid_lido(db_session: Any, tate: Any) -> None:
    objects = tate(40)
    root = export(db_session)
    records = root.findall("lido:lido", NS)
    assert len(records) == len(objects)
    numbers = [r.findtext(".//lido:workID", namespaces=NS) for r in records]
    assert numbers == [o.object_number for o in objects]


def test_every_field_is_mapped(db_session: Any) -> None:
    turner = Party(name="Joseph Mallord William Turner", sort_name="Turner, J. M. W.",
                   dates="1775–1851", authority_uri="http://vocab.getty.edu/ulan/500026846",
                   email="secret@example.org")
    printer = Party(name="Day & Son", sort_name="Day & Son", kind="organisation")
    obj = CatalogueObject(
        object_number="N01981", number_key="N01981", sort_key="N01981", object_name="painting",
        title="Norham Castle, Sunrise", production_date="c.1845", earliest_year=1844,
        latest_year=1846, materials="oil paint, canvas", techniques="glazing",
        dimensions_display="support: 908 x 1219 mm", production_place="London",
        inscriptions="JMWT", department="Paintings", credit_line="Accepted by the nation 1856",
        rights="Public domain", brief_description="Dawn over the Tweed.",
        physical_description="Thin washes of colour.",
        makers=[ObjectMaker(party=turner, role="painter", position=0),
                ObjectMaker(party=printer, role="printer", position=1)],
    )
    db_session.add(obj)
    db_session.flush()
    record = export(db_session).find("lido:lido", NS)

    def text(path: str) -> list[str]:
        return [e.text for e in record.iterfind(path, NS)]

    assert text(".//lido:repositorySet/lido:workID") == ["N01981"]
    assert text(".//lido:recordWrap/lido:recordID") == ["N01981"]
    assert text(".//lido:titleSet/lido:appellationValue") == ["Norham Castle, Sunrise"]
    assert text(".//lido:objectWorkType/lido:term") == ["painting"]
    assert text(".//lido:classification/lido:term") == ["Paintings"]
    event = record.find(".//lido:event", NS)
    assert event.findtext("lido:eventType/lido:term", namespaces=NS) == "Production"
    actors = [(a.findtext(".//lido:nameActorSet/lido:appellationValue", namespaces=NS),
               a.findtext("lido:roleActor/lido:term", namespaces=NS))
              for a in event.iterfind(".//lido:actorInRole", NS)]
    assert actors == [("Joseph Mallord William Turner", "painter"), ("Day & Son", "printer")]
    assert text(".//lido:actorID") == ["http://vocab.getty.edu/ulan/500026846"]
    assert text(".//lido:eventDate/lido:displayDate") == ["c.1845"]
    assert text(".//lido:eventDate/lido:date/lido:earliestDate") == ["1844"]
    assert text(".//lido:vitalDatesActor/lido:earliestDate") == ["1775"]
    assert text(".//lido:eventDate/lido:date/lido:latestDate") == ["1846"]
    assert text(".//lido:eventPlace//lido:appellationValue") == ["London"]
    terms = [(t.get(f"{{{LIDO_NS}}}type"), t.findtext("lido:term", namespaces=NS))
             for t in record.iterfind(".//lido:termMaterialsTech", NS)]
    assert terms == [("material", "oil paint"), ("material", "canvas"), ("technique", "glazing")]
    assert text(".//lido:displayObjectMeasurements") == ["support: 908 x 1219 mm"]
    measured = {m.findtext("lido:measurementType/lido:term", namespaces=NS):
                m.findtext("lido:measurementValue", namespaces=NS)
                for m in record.iterfind(".//lido:measurementsSet", NS)}
    assert measured == {"height": "908", "width": "1219"}
    assert text(".//lido:inscriptionTranscription") == ["JMWT"]
    assert text(".//lido:creditLine") == ["Accepted by the nation 1856"]
    assert text(".//lido:rightsType/lido:term") == ["Public domain"]
    assert len(text(".//lido:descriptiveNoteValue")) == 2
    # Personal data of parties is not part of the record.
    assert b"secret@example.org" not in etree.tostring(record)


def test_sparse_and_messy_records_stay_valid(db_session: Any) -> None:
    db_session.add(CatalogueObject(object_number="X 1", number_key="X1", sort_key="X1",
                                   title="Bell\x07 with a control character", latest_year=1900))
    db_session.flush()
    record = export(db_session).find("lido:lido", NS)
    assert record.findtext(".//lido:objectWorkType/lido:term", namespaces=NS) == "object"
    assert record.findtext(".//lido:earliestDate", namespaces=NS) == "1900"


def test_cli_exports_a_selection_or_everything(app: Any, committed_db: Any, tmp_path: Any,
                                               ) -> None:
    from tests.interchange.conftest import load_tate

    objects = load_tate(committed_db, 12)
    committed_db.commit()
    runner = app.test_cli_runner()
    everything = tmp_path / "all.xml"
    result = runner.invoke(args=["export", "objects", "--format", "lido", "-o", str(everything)])
    assert result.exit_code == 0, result.output
    root = assert_valid(lido_schema(), everything.read_bytes())
    assert len(root.findall("lido:lido", NS)) == 12

    chosen = [objects[0].object_number, objects[3].object_number.lower()]
    result = runner.invoke(args=["export", "objects", "--format", "lido", "--number", chosen[0],
                                 "--number", chosen[1]])
    assert result.exit_code == 0, result.output
    root = assert_valid(lido_schema(), result.stdout_bytes)
    assert [e.text for e in root.iterfind(".//lido:workID", NS)] == [
        objects[0].object_number, objects[3].object_number]

    unknown = runner.invoke(args=["export", "objects", "--format", "lido", "--number", "NOPE"])
    assert unknown.exit_code == 1
    assert "no object numbered NOPE" in unknown.output
    count = committed_db.scalar(sa.select(sa.func.count()).select_from(CatalogueObject))
    assert count == 12


def test_export_in_pieces_is_one_valid_document(db_session: Any, tate: Any) -> None:
    from catalog.interchange.lido import export_lido

    objects = tate(30)
    pieces = list(export_lido(db_session, sa.select(CatalogueObject.id).where(
        CatalogueObject.id.in_([o.id for o in objects[5:25]]))))
    assert len(pieces) >= 2
    root = assert_valid(lido_schema(), b"".join(pieces))
    assert len(root.findall("lido:lido", NS)) == 20
