"""OAI-PMH 2.0 provider at ``/oai`` (formats ``oai_dc`` and ``lido``).

- Only objects marked for publication (``is_published``) are exposed, and only their public
  fields (see :mod:`catalog.interchange.lido`); a published object that is deaccessioned is
  answered as a deleted record (``deletedRecord`` = persistent).
- Sets are departments: ``department`` (every object with a department) and
  ``department:<slug>``.
- Datestamps are the records' ``updated_at`` in UTC, to the second.
- Resumption tokens are stateless: the last id sent, the original arguments and a count, signed
  with the app's secret key, so any app server can answer the next page and a forged or damaged
  token is a ``badResumptionToken``.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from lxml import etree
from sqlalchemy.orm import selectinload

from catalog.core.permissions import csrf_exempt, public
from catalog.extensions import db
from catalog.interchange.lido import LidoContext, object_record
from catalog.objects.models import CatalogueObject, ObjectMaker

bp = Blueprint("oai", __name__)

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ID_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"

#: metadataPrefix -> (schema, namespace)
FORMATS = {
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", OAI_DC_NS),
    "lido": ("http://www.lido-schema.org/schema/v1.1/lido-v1.1.xsd", "http://www.lido-schema.org"),
}

#: arguments each verb accepts: (required, optional, exclusive)
VERBS: dict[str, tuple[set[str], set[str], str | None]] = {
    "Identify": (set(), set(), None),
    "ListMetadataFormats": (set(), {"identifier"}, None),
    "ListSets": (set(), set(), "resumptionToken"),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}, "resumptionToken"),
    "GetRecord": ({"identifier", "metadataPrefix"}, set(), None),
}

DEPARTMENT_SET = "department"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


class OAIError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def qname(name: str) -> str:
    return f"{{{OAI_NS}}}{name}"


def _sub(parent: etree._Element, name: str, text: str | None = None,
         ns: str = OAI_NS, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{name}", attrs)
    if text is not None:
        element.text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
    return element


def format_datestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datestamp(value: str, name: str) -> tuple[datetime, bool]:
    """A ``from``/``until`` argument as an aware UTC datetime; True when day granularity."""
    for fmt, is_day in (("%Y-%m-%d", True), ("%Y-%m-%dT%H:%M:%SZ", False)):
        try:
            parsed = datetime.strptime(value, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
        if len(value) == (10 if is_day else 20):  # strptime tolerates "2024-1-5"
            return parsed, is_day
    raise OAIError("badArgument", f"The argument {name}={value!r} is not a UTC datestamp "
                                  f"(YYYY-MM-DD or {GRANULARITY}).")


def department_slug(department: str) -> str:
    """The setSpec-safe form of a department name (``Prints & Drawings`` → ``prints-drawings``)."""
    text = unicodedata.normalize("NFKD", department).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug or "d" + hashlib.sha256(department.encode()).hexdigest()[:10]


@dataclass
class Repository:
    """Settings of this provider, from the app config."""

    name: str
    base_url: str
    admin_email: str
    namespace: str
    page_size: int

    @classmethod
    def from_app(cls) -> Repository:
        config = current_app.config
        public_url = config["PUBLIC_BASE_URL"]
        host = urlsplit(public_url).hostname or "localhost"
        mail_from = config.get("MAIL_FROM", "catalog@localhost")
        admin = (config.get("OAI_ADMIN_EMAIL") or re.sub(r"^.*<|>.*$", "", mail_from)).strip()
        if not re.fullmatch(r"\S+@(\S+\.)+\S+", admin):
            # The standard wants a routable address; "catalog@localhost" is not one.
            admin = f"collections@{host if '.' in host else 'localhost.localdomain'}"
        return cls(name=config.get("OAI_REPOSITORY_NAME") or config["MUSEUM_NAME"],
                   base_url=public_url + "/oai", admin_email=admin,
                   namespace=host, page_size=int(config.get("OAI_PAGE_SIZE", 100)))

    def identifier(self, obj_id: int) -> str:
        return f"oai:{self.namespace}:object/{obj_id}"

    def object_id(self, identifier: str) -> int | None:
        prefix = f"oai:{self.namespace}:object/"
        rest = identifier[len(prefix):] if identifier.startswith(prefix) else ""
        if rest.isascii() and rest.isdigit() and 0 < int(rest) < 2**31:
            return int(rest)
        return None


# Queries ---------------------------------------------------------------------------------------
def _published() -> sa.Select[Any]:
    return sa.select(CatalogueObject).where(CatalogueObject.is_published.is_(True))


def _departments() -> dict[str, str]:
    """slug -> department name, for the departments of published objects."""
    names = db.session.scalars(
        sa.select(CatalogueObject.department).distinct()
        .where(CatalogueObject.is_published.is_(True), CatalogueObject.department.is_not(None)))
    slugs: dict[str, str] = {}
    for name in sorted(n for n in names if n and n.strip()):
        slugs.setdefault(department_slug(name), name)
    return slugs


def _set_clause(set_spec: str) -> Any:
    if set_spec == DEPARTMENT_SET:
        return CatalogueObject.department.is_not(None)
    prefix = DEPARTMENT_SET + ":"
    if set_spec.startswith(prefix):
        slug = set_spec[len(prefix):]
        names = [n for n in db.session.scalars(
            sa.select(CatalogueObject.department).distinct()
            .where(CatalogueObject.is_published.is_(True),
                   CatalogueObject.department.is_not(None))) if n and department_slug(n) == slug]
        if names:
            return CatalogueObject.department.in_(names)
    return None


# The response envelope -------------------------------------------------------------------------
def _envelope(repo: Repository, verb: str | None, args: dict[str, str]) -> etree._Element:
    root = etree.Element(qname("OAI-PMH"), nsmap={None: OAI_NS, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation",
             f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd")
    _sub(root, "responseDate", format_datestamp(datetime.now(UTC)))
    request_el = _sub(root, "request", repo.base_url)
    if verb is not None:
        request_el.set("verb", verb)
        for name, value in args.items():
            request_el.set(name, value)
    return root


def _respond(root: etree._Element) -> Response:
    body = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return Response(body, mimetype="text/xml", content_type="text/xml; charset=utf-8")


def _error_response(repo: Repository, errors: list[OAIError], verb: str | None,
                    args: dict[str, str]) -> Response:
    # badVerb and badArgument echo only the base URL; other errors echo the valid request.
    echo = not any(e.code in ("badVerb", "badArgument") for e in errors)
    root = _envelope(repo, verb if echo else None, args if echo else {})
    for error in errors:
        _sub(root, "error", error.message, code=error.code)
    return _respond(root)


@bp.route("/oai", methods=["GET", "POST"])
@public
@csrf_exempt
def endpoint() -> Response:
    """The OAI-PMH base URL."""
    repo = Repository.from_app()
    source = request.form if request.method == "POST" else request.args
    multi = {key: source.getlist(key) for key in source}
    verbs = multi.pop("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        message = ("The verb argument is missing." if not verbs else
                   "The verb argument is repeated." if len(verbs) > 1 else
                   f"{verbs[0]!r} is not an OAI-PMH verb.")
        return _error_response(repo, [OAIError("badVerb", message)], None, {})
    verb = verbs[0]
    try:
        args = _check_arguments(verb, multi)
    except OAIError as exc:
        return _error_response(repo, [exc], None, {})
    try:
        root = _envelope(repo, verb, args)
        HANDLERS[verb](repo, args, root)
    except OAIError as exc:
        return _error_response(repo, [exc], verb, args)
    return _respond(root)


def _check_arguments(verb: str, multi: dict[str, list[str]]) -> dict[str, str]:
    required, optional, exclusive = VERBS[verb]
    allowed = required | optional | ({exclusive} if exclusive else set())
    for name, values in multi.items():
        if name not in allowed:
            raise OAIError("badArgument", f"{verb} does not take the argument {name!r}.")
        if len(values) != 1:
            raise OAIError("badArgument", f"The argument {name!r} is repeated.")
    args = {name: values[0] for name, values in multi.items()}
    if exclusive and exclusive in args:
        if len(args) > 1:
            raise OAIError("badArgument", f"{exclusive} is an exclusive argument.")
        return args
    if missing := sorted(required - set(args)):
        raise OAIError("badArgument", f"{verb} needs the argument {missing[0]!r}.")
    return args


# Verbs -----------------------------------------------------------------------------------------
def identify(repo: Repository, args: dict[str, str], root: etree._Element) -> None:
    el = _sub(root, "Identify")
    _sub(el, "repositoryName", repo.name)
    _sub(el, "baseURL", repo.base_url)
    _sub(el, "protocolVersion", "2.0")
    _sub(el, "adminEmail", repo.admin_email)
    earliest = db.session.scalar(
        sa.select(sa.func.min(CatalogueObject.updated_at))
        .where(CatalogueObject.is_published.is_(True)))
    _sub(el, "earliestDatestamp", format_datestamp(earliest or datetime(2000, 1, 1, tzinfo=UTC)))
    _sub(el, "deletedRecord", "persistent")
    _sub(el, "granularity", GRANULARITY)
    description = _sub(el, "description")
    ident = etree.SubElement(description, f"{{{ID_NS}}}oai-identifier", nsmap={None: ID_NS})
    ident.set(f"{{{XSI_NS}}}schemaLocation",
              f"{ID_NS} http://www.openarchives.org/OAI/2.0/oai-identifier.xsd")
    _sub(ident, "scheme", "oai", ns=ID_NS)
    _sub(ident, "repositoryIdentifier", repo.namespace, ns=ID_NS)
    _sub(ident, "delimiter", ":", ns=ID_NS)
    _sub(ident, "sampleIdentifier", repo.identifier(1), ns=ID_NS)


def list_metadata_formats(repo: Repository, args: dict[str, str], root: etree._Element) -> None:
    if "identifier" in args:
        _get_published(repo, args["identifier"])
    el = _sub(root, "ListMetadataFormats")
    for prefix, (schema, namespace) in FORMATS.items():
        fmt = _sub(el, "metadataFormat")
        _sub(fmt, "metadataPrefix", prefix)
        _sub(fmt, "schema", schema)
        _sub(fmt, "metadataNamespace", namespace)


def list_sets(repo: Repository, args: dict[str, str], root: etree._Element) -> None:
    if "resumptionToken" in args:
        raise OAIError("badResumptionToken", "This repository never splits its list of sets.")
    el = _sub(root, "ListSets")
    top = _sub(el, "set")
    _sub(top, "setSpec", DEPARTMENT_SET)
    _sub(top, "setName", "Departments")
    for slug, name in _departments().items():
        entry = _sub(el, "set")
        _sub(entry, "setSpec", f"{DEPARTMENT_SET}:{slug}")
        _sub(entry, "setName", name)


def _get_published(repo: Repository, identifier: str) -> CatalogueObject:
    obj_id = repo.object_id(identifier)
    obj: CatalogueObject | None = None
    if obj_id is not None:
        obj = db.session.scalars(_published().where(CatalogueObject.id == obj_id).options(
            selectinload(CatalogueObject.makers).joinedload(ObjectMaker.party))).first()
    if obj is None:
        raise OAIError("idDoesNotExist", f"There is no record {identifier!r} in this repository.")
    return obj


def get_record(repo: Repository, args: dict[str, str], root: etree._Element) -> None:
    prefix = args["metadataPrefix"]
    obj = _get_published(repo, args["identifier"])
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"The format {prefix!r} is not offered.")
    _record(repo, _sub(root, "GetRecord"), obj, prefix, with_metadata=True)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="oai-pmh-resumption")


def _read_token(token: str, verb: str) -> tuple[dict[str, str], int, int]:
    """The arguments, last id and count a resumption token carries, or badResumptionToken."""
    try:
        state = _serializer().loads(token)
        query = {str(k): str(v) for k, v in state["args"].items()}
        valid = state["verb"] == verb and "metadataPrefix" in query  # not another list's
        after, sent = int(state["after"]), int(state["sent"])
    except (BadSignature, KeyError, TypeError, ValueError, AttributeError):
        valid = False
    if not valid:
        raise OAIError("badResumptionToken", "The resumption token is invalid or has expired.")
    return query, after, sent


def _list(repo: Repository, args: dict[str, str], root: etree._Element, verb: str) -> None:
    if "resumptionToken" in args:
        query, after, sent = _read_token(args["resumptionToken"], verb)
    else:
        query, after, sent = dict(args), 0, 0
    prefix = query["metadataPrefix"]
    if prefix not in FORMATS:
        raise OAIError("cannotDisseminateFormat", f"The format {prefix!r} is not offered.")
    stmt = _published()
    from_day = until_day = None
    if "from" in query:
        start, from_day = parse_datestamp(query["from"], "from")
        stmt = stmt.where(CatalogueObject.updated_at >= start)
    if "until" in query:
        end, until_day = parse_datestamp(query["until"], "until")
        # Datestamps are shown to the second (or day): "until" includes the whole of it.
        end += timedelta(days=1) if until_day else timedelta(seconds=1)
        stmt = stmt.where(CatalogueObject.updated_at < end)
    if from_day is not None and until_day is not None and from_day != until_day:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if "from" in query and "until" in query and query["from"] > query["until"]:
        raise OAIError("badArgument", "from is later than until.")
    if "set" in query:
        clause = _set_clause(query["set"])
        if clause is None:
            raise OAIError("noRecordsMatch", f"There is no set {query['set']!r} with records.")
        stmt = stmt.where(clause)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page_stmt = stmt.where(CatalogueObject.id > after).order_by(CatalogueObject.id)
    page_stmt = page_stmt.limit(repo.page_size + 1)
    with_metadata = verb == "ListRecords"
    if with_metadata:
        page_stmt = page_stmt.options(
            selectinload(CatalogueObject.makers).joinedload(ObjectMaker.party))
    objects = list(db.session.scalars(page_stmt).unique())
    if not objects:  # (also when the rest of a list vanished between two pages)
        raise OAIError("noRecordsMatch", "No records match the request.")
    more = len(objects) > repo.page_size
    objects = objects[:repo.page_size]
    el = _sub(root, verb)
    for obj in objects:
        _record(repo, el, obj, prefix, with_metadata=with_metadata)
    if more or "resumptionToken" in args:
        # The last page carries an empty token: the list is complete.
        token = _serializer().dumps({"verb": verb, "args": query, "after": objects[-1].id,
                                     "sent": sent + len(objects)}) if more else None
        resumption = _sub(el, "resumptionToken", token, completeListSize=str(total),
                          cursor=str(sent))
        if token is None:
            resumption.text = None


def list_identifiers(repo: Repository, args: dict[str, str], root: etree._Element) -> None:
    _list(repo, args, root, "ListIdentifiers")


def list_records(repo: Repository, args: dict[str, str], root: etree._Element) -> None:
    _list(repo, args, root, "ListRecords")


# Records ---------------------------------------------------------------------------------------
def _record(repo: Repository, parent: etree._Element, obj: CatalogueObject, prefix: str, *,
            with_metadata: bool) -> None:
    deleted = obj.status == "deaccessioned"
    target = _sub(parent, "record") if with_metadata else parent
    header = _sub(target, "header")
    if deleted:
        header.set("status", "deleted")
    _sub(header, "identifier", repo.identifier(obj.id))
    _sub(header, "datestamp", format_datestamp(obj.updated_at))
    if obj.department and obj.department.strip():
        _sub(header, "setSpec", f"{DEPARTMENT_SET}:{department_slug(obj.department)}")
    if with_metadata and not deleted:
        metadata = _sub(target, "metadata")
        metadata.append(METADATA[prefix](repo, obj))


def oai_dc(repo: Repository, obj: CatalogueObject) -> etree._Element:
    """Simple Dublin Core of the public fields."""
    dc = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS,
                                                     "xsi": XSI_NS})
    dc.set(f"{{{XSI_NS}}}schemaLocation",
           f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd")

    def add(name: str, value: str | None) -> None:
        if value and value.strip():
            _sub(dc, name, value, ns=DC_NS)

    add("title", obj.title or obj.object_name or "Untitled")
    for maker in obj.makers:
        add("creator", maker.party.name)
    add("type", obj.object_name)
    add("description", obj.brief_description)
    add("description", obj.physical_description)
    add("date", obj.production_date or (str(obj.earliest_year) if obj.earliest_year else None))
    add("format", obj.materials)
    add("format", obj.dimensions_display)
    add("coverage", obj.production_place)
    add("publisher", repo.name)
    add("identifier", obj.object_number)
    add("rights", obj.rights)
    add("rights", obj.credit_line)
    return dc


def lido(repo: Repository, obj: CatalogueObject) -> etree._Element:
    from catalog.interchange.media import lido_images

    return object_record(obj, LidoContext(museum_name=repo.name,
                                          base_url=current_app.config["PUBLIC_BASE_URL"]),
                         lido_images(obj))


METADATA: dict[str, Callable[[Repository, CatalogueObject], etree._Element]] = {
    "oai_dc": oai_dc, "lido": lido,
}
HANDLERS: dict[str, Callable[[Repository, dict[str, str], etree._Element], None]] = {
    "Identify": identify,
    "ListMetadataFormats": list_metadata_formats,
    "ListSets": list_sets,
    "ListIdentifiers": list_identifiers,
    "ListRecords": list_records,
    "GetRecord": get_record,
}

# The images aggregators may fetch are routes of this blueprint (after ``bp`` exists).
from catalog.interchange import media as _media  # noqa: E402, F401
