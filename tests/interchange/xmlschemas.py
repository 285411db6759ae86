"""The shared XML schemas (LIDO 1.1, OAI-PMH 2.0 with oai_dc and lido payloads), loaded once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree

# The repository sits beside shared/ (or, in a worktree, further down): look upwards.
SCHEMAS = next(p / "shared" / "schemas" for p in Path(__file__).resolve().parents
               if (p / "shared" / "schemas").is_dir())


class _LocalSchemas(etree.Resolver):
    """Answer the schemas' imports of W3C's xml.xsd from disk: tests never go online."""

    def resolve(self, url: str, pubid: str, context: object) -> object:
        if url.endswith("/xml.xsd") and url.startswith("http"):
            return self.resolve_filename(str(SCHEMAS / "oai-pmh" / "xml.xsd"), context)
        return None


def _load(xsd: str) -> etree.XMLSchema:
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.fromstring(xsd.encode(), parser, base_url=str(SCHEMAS) + "/"))


@cache
def lido_schema() -> etree.XMLSchema:
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalSchemas())
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "lido" / "lido-v1.1.xsd"), parser))


@cache
def oai_schema() -> etree.XMLSchema:
    """OAI-PMH.xsd validates metadata payloads strictly: it needs their schemas too."""
    imports = {
        "http://www.openarchives.org/OAI/2.0/": "oai-pmh/OAI-PMH.xsd",
        "http://www.openarchives.org/OAI/2.0/oai_dc/": "oai-pmh/oai_dc.xsd",
        "http://www.openarchives.org/OAI/2.0/oai-identifier": "oai-pmh/oai-identifier.xsd",
        "http://www.lido-schema.org": "lido/lido-v1.1.xsd",
    }
    body = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(SCHEMAS / path).as_uri()}"/>'
                   for ns, path in imports.items())
    return _load(f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{body}</xs:schema>')


def assert_valid(schema: etree.XMLSchema, document: bytes | etree._Element) -> etree._Element:
    root = etree.fromstring(document) if isinstance(document, bytes) else document
    if not schema.validate(root):
        raise AssertionError("\n".join(str(e) for e in list(schema.error_log)[:10]))
    return root
