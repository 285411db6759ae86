"""LIDO 1.1 XML for object records (export and the OAI-PMH ``lido`` format).

Mapping (Catalog → LIDO 1.1):

- object number → ``repositorySet/workID`` (inventory number) and ``recordWrap/recordID``
- title → ``titleWrap/titleSet``; object name → ``objectWorkTypeWrap/objectWorkType``;
  department → ``classificationWrap/classification[@type=department]``
- brief and physical description → ``objectDescriptionWrap``; inscriptions → ``inscriptionsWrap``
- dimensions → ``objectMeasurementsSet`` (the display text, plus structured height / width /
  depth when the text reads like ``600 x 400 mm``)
- makers and roles → ``eventActor/actorInRole`` (``roleActor``) of a *Production* event, with the
  production date (``displayDate`` + ``earliestDate``/``latestDate``), place, materials and
  techniques (``termMaterialsTech``)
- rights → ``rightsWorkSet/rightsType``; credit line → ``rightsWorkSet/creditLine``
- images (when the media table exists) → ``resourceWrap/resourceSet``

Restricted data (valuations, prices, donors' contact details, storage locations) is never
written: the record builder reads only the fields above. Large exports are streamed with
``lxml.etree.xmlfile`` one record at a time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.orm import Session, selectinload

from catalog.objects.models import CatalogueObject, ObjectMaker

LIDO_NS = "http://www.lido-schema.org"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{LIDO_NS} http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd"
NSMAP = {"lido": LIDO_NS, "xsi": XSI_NS}

#: LIDO event type vocabulary (terminology.lido-schema.org)
PRODUCTION_EVENT = "http://terminology.lido-schema.org/lido00007"
#: CIDOC-CRM class of the records' subject
HUMAN_MADE_OBJECT = "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"

_UNIT = r"(mm|cm|m|in|inches)"
_NUM = r"(\d+(?:[.,]\d+)?)"
_DIMENSIONS = re.compile(
    rf"{_NUM}\s*[x×]\s*{_NUM}(?:\s*[x×]\s*{_NUM})?\s*{_UNIT}\b", re.IGNORECASE)


def L(name: str) -> str:  # noqa: N802 - reads like the element names it builds
    return f"{{{LIDO_NS}}}{name}"


@dataclass(frozen=True)
class LidoContext:
    """Who publishes the records: the repository and record source in every record."""

    museum_name: str
    base_url: str


def _sub(parent: etree._Element, name: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, L(name))
    for key, value in attrs.items():
        element.set(L(key), value)
    if text is not None:
        element.text = _clean(text)
    return element


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    # XML 1.0 cannot carry control characters; legacy data sometimes does.
    return _CONTROL.sub("", text)


def _term(parent: etree._Element, name: str, term: str, concept_id: str | None = None,
          **attrs: str) -> etree._Element:
    element = _sub(parent, name, **attrs)
    if concept_id:
        _sub(element, "conceptID", concept_id, type="URI")
    _sub(element, "term", term)
    return element


def _appellation(parent: etree._Element, name: str, value: str, **attrs: str) -> etree._Element:
    element = _sub(parent, name, **attrs)
    _sub(element, "appellationValue", value)
    return element


def _legal_body(parent: etree._Element, name: str, museum: str, **attrs: str) -> None:
    body = _sub(parent, name, **attrs)
    _appellation(body, "legalBodyName", museum)


def _split_terms(text: str | None) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in re.split(r"[;,\n]", text) if part.strip()]


def _has_text(value: str | None) -> bool:
    return bool(value and _clean(value).strip())


def _measurements(parent: etree._Element, display: str) -> None:
    measurements_set = _sub(parent, "objectMeasurementsSet")
    _sub(measurements_set, "displayObjectMeasurements", display)
    match = _DIMENSIONS.search(display)
    if not match:
        return
    *values, unit = match.groups()
    structured = _sub(measurements_set, "objectMeasurements")
    for kind, value in zip(("height", "width", "depth"), values, strict=False):
        if value is None:
            continue
        part = _sub(structured, "measurementsSet")
        _term(part, "measurementType", kind)
        _term(part, "measurementUnit", "in" if unit.lower() == "inches" else unit.lower())
        _sub(part, "measurementValue", value.replace(",", "."))


def object_record(obj: CatalogueObject, context: LidoContext,
                  images: Iterable[dict[str, str]] = ()) -> etree._Element:
    """One ``lido:lido`` element for ``obj`` (its makers must be loaded)."""
    lido = etree.Element(L("lido"), nsmap={"lido": LIDO_NS})
    _sub(lido, "lidoRecID", f"{context.base_url}/objects/{obj.id}", type="local",
         source=context.museum_name)
    _term(lido, "category", "Human-Made Object", HUMAN_MADE_OBJECT)

    descriptive = _sub(lido, "descriptiveMetadata")
    descriptive.set(XML_LANG, "en")
    classification = _sub(descriptive, "objectClassificationWrap")
    work_types = _sub(classification, "objectWorkTypeWrap")
    _term(work_types, "objectWorkType", obj.object_name if obj.object_name
          and _has_text(obj.object_name) else "object")
    if _has_text(obj.department):
        classes = _sub(classification, "classificationWrap")
        _term(classes, "classification", obj.department or "", type="department")

    identification = _sub(descriptive, "objectIdentificationWrap")
    titles = _sub(identification, "titleWrap")
    title = next((t for t in (obj.title, obj.object_name) if t and _has_text(t)), "Untitled")
    _appellation(titles, "titleSet", title, pref="preferred")
    if _has_text(obj.inscriptions):
        inscriptions = _sub(_sub(identification, "inscriptionsWrap"), "inscriptions")
        _sub(inscriptions, "inscriptionTranscription", obj.inscriptions)
    repository = _sub(_sub(identification, "repositoryWrap"), "repositorySet", type="current")
    _legal_body(repository, "repositoryName", context.museum_name)
    _sub(repository, "workID", obj.object_number, type="inventory number")
    descriptions = [(text, kind) for text, kind in ((obj.brief_description, "description"),
                    (obj.physical_description, "physical description")) if _has_text(text)]
    if descriptions:
        wrap = _sub(identification, "objectDescriptionWrap")
        for text, kind in descriptions:
            _sub(_sub(wrap, "objectDescriptionSet", type=kind), "descriptiveNoteValue", text)
    if _has_text(obj.dimensions_display):
        _measurements(_sub(identification, "objectMeasurementsWrap"), obj.dimensions_display or "")

    _production_event(descriptive, obj)

    administrative = _sub(lido, "administrativeMetadata")
    administrative.set(XML_LANG, "en")
    if _has_text(obj.rights) or _has_text(obj.credit_line):
        rights = _sub(_sub(administrative, "rightsWorkWrap"), "rightsWorkSet")
        if _has_text(obj.rights):
            _term(rights, "rightsType", obj.rights or "")
        if _has_text(obj.credit_line):
            _sub(rights, "creditLine", obj.credit_line)
    record = _sub(administrative, "recordWrap")
    _sub(record, "recordID", obj.object_number, type="local")
    _term(record, "recordType", "item")
    _legal_body(record, "recordSource", context.museum_name)
    images = list(images)
    if images:
        resources = _sub(administrative, "resourceWrap")
        for image in images:
            resource = _sub(resources, "resourceSet")
            representation = _sub(resource, "resourceRepresentation", type="image_master")
            link = _sub(representation, "linkResource", image["url"])
            if image.get("mime_type"):
                link.set(L("formatResource"), image["mime_type"])
            _term(resource, "resourceType", "image")
            if image.get("caption"):
                _sub(resource, "resourceDescription", image["caption"])
    return lido


def _production_event(descriptive: etree._Element, obj: CatalogueObject) -> None:
    years = [y for y in (obj.earliest_year, obj.latest_year) if y is not None]
    has_date = _has_text(obj.production_date) or bool(years)
    has_materials = _has_text(obj.materials) or _has_text(obj.techniques)
    if not (obj.makers or has_date or _has_text(obj.production_place) or has_materials):
        return
    event = _sub(_sub(_sub(descriptive, "eventWrap"), "eventSet"), "event")
    _term(event, "eventType", "Production", PRODUCTION_EVENT)
    for maker in obj.makers:
        party = maker.party
        in_role = _sub(_sub(event, "eventActor"), "actorInRole")
        actor = _sub(in_role, "actor",
                     type="person" if party.kind == "person" else "corporation")
        if party.authority_uri:
            _sub(actor, "actorID", party.authority_uri, type="URI")
        _appellation(actor, "nameActorSet", party.name)
        vital_years = re.findall(r"\b(\d{3,4})\b", party.dates or "")
        if len(vital_years) == 2:  # "1775–1851"; anything vaguer stays out of the structured field
            vital = _sub(actor, "vitalDatesActor")
            _sub(vital, "earliestDate", vital_years[0])
            _sub(vital, "latestDate", vital_years[1])
        _term(in_role, "roleActor", maker.role or "maker")
    if has_date:
        date_set = _sub(event, "eventDate")
        display = obj.production_date if _has_text(obj.production_date) else None
        if display is None:
            display = (str(years[0]) if min(years) == max(years)
                       else f"{min(years)}–{max(years)}")
        _sub(date_set, "displayDate", display)
        if years:
            date = _sub(date_set, "date")
            _sub(date, "earliestDate", str(years[0]))
            _sub(date, "latestDate", str(years[-1]))
    if _has_text(obj.production_place):
        place = _sub(_sub(event, "eventPlace"), "place")
        _appellation(place, "namePlaceSet", obj.production_place or "")
    if has_materials:
        materials = _sub(event, "eventMaterialsTech")
        display = "; ".join(t for t in (obj.materials, obj.techniques) if t and _has_text(t))
        _sub(materials, "displayMaterialsTech", display)
        tech = _sub(materials, "materialsTech")
        for kind, text in (("material", obj.materials), ("technique", obj.techniques)):
            for term in _split_terms(text):
                _term(tech, "termMaterialsTech", term, type=kind)


# Queries and streaming -------------------------------------------------------------------------
def iter_objects(session: Session, stmt: sa.Select[Any], batch: int = 500
                 ) -> Iterator[CatalogueObject]:
    """The objects of ``stmt`` in id order, loaded ``batch`` at a time with their makers.

    Keyset batches keep memory flat for a million objects; the session is cleared between them.
    """
    last_id = 0
    while True:
        page = list(session.scalars(
            stmt.where(CatalogueObject.id > last_id).order_by(CatalogueObject.id).limit(batch)
            .options(selectinload(CatalogueObject.makers).joinedload(ObjectMaker.party))
        ).unique())
        if not page:
            return
        yield from page
        last_id = page[-1].id
        session.expunge_all()


def export_lido(session: Session, ids: sa.Select[Any] | None = None) -> Iterator[bytes]:
    """The export format ``lido`` (``catalog export objects --format lido``, export buttons):
    every object, or those whose id ``ids`` selects, as one LIDO document in pieces."""
    from flask import current_app

    from catalog.interchange.media import lido_images

    stmt = sa.select(CatalogueObject)
    if ids is not None:
        stmt = stmt.where(CatalogueObject.id.in_(ids))
    context = LidoContext(museum_name=current_app.config["MUSEUM_NAME"],
                          base_url=current_app.config["PUBLIC_BASE_URL"])
    buffer = _Chunks()
    for _ in write_lido(buffer, iter_objects(session, stmt), context, images=lido_images,
                        progress=True):
        if buffer.size() >= 1 << 16:
            yield buffer.take()
    yield buffer.take()


class _Chunks(io.BytesIO):
    def size(self) -> int:
        return self.tell()

    def take(self) -> bytes:
        data = self.getvalue()
        self.seek(0)
        self.truncate()
        return data


def write_lido(out: IO[bytes], objects: Iterable[CatalogueObject], context: LidoContext,
               images: Any = None, *, progress: bool = False) -> Any:
    """Stream a ``lido:lidoWrap`` document of ``objects`` to ``out``; returns the count (or,
    with ``progress``, is a generator yielding after each record so a caller can drain ``out``).
    """
    records = _write_lido(out, objects, context, images)
    if progress:
        return records
    count = 0
    for count in records:  # noqa: B007 - the last value is the count
        pass
    return count


def _write_lido(out: IO[bytes], objects: Iterable[CatalogueObject], context: LidoContext,
                images: Any = None) -> Iterator[int]:
    # A generator so that a caller can drain an in-memory ``out`` between records.
    count = 0
    with etree.xmlfile(out, encoding="utf-8") as xf:
        xf.write_declaration()
        attrs = {f"{{{XSI_NS}}}schemaLocation": SCHEMA_LOCATION}
        with xf.element(L("lidoWrap"), attrs, nsmap=NSMAP):
            yield 0
            for obj in objects:
                xf.write(object_record(obj, context, images(obj) if images else ()))
                count += 1
                xf.flush()
                yield count
    yield count
