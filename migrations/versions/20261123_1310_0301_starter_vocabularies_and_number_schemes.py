"""starter vocabularies and number schemes (data)

Revision ID: 0301
Revises: 0300
Create Date: 2026-11-23 13:10:00

A museum starts with a sensible list of terms (with Getty AAT URIs where there is an obvious
concept) and the usual number schemes; admins edit both afterwards.
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


revision = '0301'
down_revision = '0300'
branch_labels = None
depends_on = None

AAT = "http://vocab.getty.edu/aat/"

TERMS = {
    "object_name": [
        ("painting", "300033618"), ("drawing", "300033973"), ("print", "300041273"),
        ("photograph", "300046300"), ("sculpture", "300047090"), ("watercolour", "300078925"),
        ("sketchbook", "300027354"), ("textile", "300014063"), ("costume", "300178802"),
        ("ceramic", "300151343"), ("vase", "300132254"), ("bowl", "300198938"),
        ("coin", "300037222"), ("medal", "300046025"), ("manuscript", "300028569"),
        ("book", "300028051"), ("letter", "300026879"), ("map", "300028094"),
        ("poster", "300027221"), ("furniture", "300037680"), ("chair", "300037772"),
        ("clock", "300041575"), ("tool", "300024841"), ("jewellery", "300209286"),
        ("ring", "300046001"), ("specimen", "300235576"), ("fossil", "300247919"),
        ("model", "300047753"), ("installation", "300047896"), ("video", "300028682"),
    ],
    "material": [
        ("oil paint", "300015050"), ("canvas", "300014078"), ("paper", "300014109"),
        ("graphite", "300011098"), ("ink", "300015012"), ("watercolour paint", "300015045"),
        ("wood", "300011914"), ("oak", "300012264"), ("bronze", "300010957"),
        ("silver", "300011029"), ("gold", "300011021"), ("iron", "300011002"),
        ("steel", "300133751"), ("marble", "300011443"), ("stone", "300011176"),
        ("glass", "300010797"), ("porcelain", "300010662"), ("earthenware", "300010666"),
        ("stoneware", "300010670"), ("silk", "300243428"), ("wool", "300243430"),
        ("cotton", "300014067"), ("linen", None), ("leather", "300011845"),
        ("ivory", "300011857"), ("plastic", "300014570"), ("gelatin silver print", "300128695"),
        ("parchment", "300011851"), ("bone", "300011816"), ("shell", "300011864"),
    ],
    "technique": [
        ("painting", "300054216"), ("drawing", "300054196"), ("etching", "300053241"),
        ("engraving", "300053225"), ("lithography", "300053271"), ("woodcut", "300041405"),
        ("screen printing", "300053320"), ("casting", "300053578"), ("carving", "300053623"),
        ("weaving", "300053642"), ("embroidery", "300264024"), ("throwing", "300053664"),
        ("glazing", "300053732"), ("gilding", "300053738"), ("photography", "300054225"),
        ("forging", "300053797"), ("blown glass", "300053884"), ("collage", "300033963"),
    ],
    "department": [
        ("Fine Art", None), ("Prints and Drawings", None), ("Decorative Arts", None),
        ("Photography", None), ("Textiles and Dress", None), ("Archaeology", None),
        ("Natural History", None), ("Social History", None), ("Archive", None),
    ],
    "maker_role": [
        ("artist", "300025103"), ("painter", "300025136"), ("sculptor", "300025181"),
        ("printmaker", "300025164"), ("photographer", "300025687"), ("designer", "300025190"),
        ("manufacturer", "300025590"), ("publisher", "300025574"), ("after", None),
        ("attributed to", None), ("workshop of", None), ("author", "300025492"),
    ],
    "dimension_part": [
        ("overall", None), ("support", None), ("image", None), ("frame", None),
        ("sheet", None), ("plate", None), ("base", None), ("mount", None),
    ],
    "entry_reason": [
        ("possible acquisition", None), ("loan in", None), ("enquiry", None),
        ("identification", None), ("photography", None),
    ],
    "disposal_method": [
        ("transfer", None), ("sale", None), ("exchange", None), ("return", None),
        ("destruction", None), ("recycling", None),
    ],
}

SCHEMES = [
    ("accession", "Accession numbers", "{year}.{lot}.{item}", "object"),
    ("entry", "Object entry numbers", "IN{year}.{n}", "entry"),
    ("loan_in", "Loans in", "L.{year}.{n}", "loan_in"),
    ("acquisition", "Acquisition records", "ACQ{year}.{n}", "acquisition"),
    ("deaccession", "Deaccession records", "D{year}.{n}", "deaccession"),
]

terms = sa.table(
    "vocabulary_terms",
    sa.column("vocabulary", sa.String), sa.column("term", sa.String),
    sa.column("term_key", sa.String), sa.column("external_uri", sa.String),
    sa.column("is_active", sa.Boolean), sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
)
schemes = sa.table(
    "number_schemes",
    sa.column("code", sa.String), sa.column("name", sa.String), sa.column("pattern", sa.String),
    sa.column("applies_to", sa.String), sa.column("is_active", sa.Boolean),
    sa.column("created_at", sa.DateTime), sa.column("updated_at", sa.DateTime),
)


def upgrade():
    now = datetime.now(UTC)
    if op.get_bind().dialect.name == "sqlite":
        now = now.replace(tzinfo=None)  # UTCDateTime stores naive UTC on SQLite
    rows = []
    for vocabulary, entries in TERMS.items():
        for term, aat in entries:
            rows.append({"vocabulary": vocabulary, "term": term, "term_key": term.lower(),
                         "external_uri": AAT + aat if aat else None, "is_active": True,
                         "created_at": now, "updated_at": now})
    op.bulk_insert(terms, rows)
    op.bulk_insert(schemes, [
        {"code": code, "name": name, "pattern": pattern, "applies_to": applies_to,
         "is_active": True, "created_at": now, "updated_at": now}
        for code, name, pattern, applies_to in SCHEMES
    ])


def downgrade():
    op.execute(schemes.delete().where(schemes.c.code.in_([s[0] for s in SCHEMES])))
    op.execute(terms.delete().where(terms.c.vocabulary.in_(list(TERMS))))
