"""Demo data for objects, parties and procedures: real Tate records (CC0) with makers and
dimensions, a few donors, an object entry that has been accessioned and one still waiting."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from catalog.demo import demo_loader

#: (number, maker, title, date text, year, medium, credit line, height mm, width mm, kind)
#: from the Tate collection data (CC0), ../shared/data/museum/
ARTWORKS = [
    (
        "D33116",
        "Joseph Mallord William Turner",
        "Mountains",
        "c.1841",
        1841,
        "Graphite on paper",
        "Accepted by the nation as part of the Turner Bequest 1856",
        74,
        165,
        "on paper, unique",
    ),
    (
        "N05725",
        "Eric Ravilious",
        "Tiger Moth",
        "1942",
        1942,
        "Graphite and watercolour on paper",
        "Presented by the War Artists Advisory Committee 1946",
        559,
        457,
        "on paper, unique",
    ),
    (
        "T13520",
        "Jiro Takamatsu",
        "In the Form of Square",
        "1972",
        1972,
        "Ink, gouache and graphite on paper",
        "Presented by the artist's estate 2011",
        250,
        290,
        "on paper, unique",
    ),
    (
        "T03826",
        "Joseph Beuys",
        "Untitled (Vitrine)",
        "1983",
        1983,
        "Wood, glass, steel, copper, iron and felt",
        "Purchased 1984",
        2200,
        2060,
        "sculpture",
    ),
    (
        "T13379",
        "Sir William Orpen",
        "Anatomical Study, Thigh Muscles",
        "c.1906",
        1906,
        "Chalk on paper",
        "Purchased with assistance from the Art Fund, Tate Members, the Olivier family an",
        815,
        1120,
        "on paper, unique",
    ),
    (
        "P02462",
        "David Leverett",
        "Colour Satin",
        "1975–7",
        1975,
        "Screenprint on paper",
        "Presented by the artist 1978",
        1060,
        715,
        "on paper, print",
    ),
    (
        "T05647",
        "after Clarkson Frederick Stanfield",
        "The Coast of Brittany, near Doll, engraved by J. Cousen",
        "1836",
        1836,
        "Line engraving on paper",
        "Transferred from the Library 1989",
        140,
        91,
        "on paper, print",
    ),
    (
        "P06459",
        "Man Ray",
        "Untitled I",
        "1969",
        1969,
        "Lithograph and screenprint on paper",
        "Presented by Curwen Studio through the Institute of Contemporary Prints 1975",
        445,
        581,
        "on paper, print",
    ),
    (
        "P04941",
        "Peter Phillips",
        "3. Doublebubblebrain",
        "1968",
        1968,
        "Screenprint on paper",
        "Presented by Rose and Chris Prater through the Institute of Contemporary Prints ",
        940,
        591,
        "on paper, print",
    ),
    (
        "T04833",
        "after Joseph Mallord William Turner",
        "Portsmouth",
        "1828",
        1828,
        "Mezzotint on paper",
        "Purchased 1986",
        240,
        160,
        "on paper, print",
    ),
    (
        "N03713",
        "John Singer Sargent",
        "Almina, Daughter of Asher Wertheimer",
        "1908",
        1908,
        "Oil paint on canvas",
        "Presented by the widow and family of Asher Wertheimer in accordance with his wis",
        1010,
        1340,
        "painting",
    ),
    (
        "T06606",
        "William Blake",
        "Judas Betrays Him",
        "c.1803–5",
        1803,
        "Ink, graphite and watercolour on paper",
        "Purchased with funds provided by the Patrons of British Art through the Tate Gal",
        303,
        367,
        "on paper, unique",
    ),
    (
        "P77479",
        "Ian Hamilton Finlay",
        "Both the Garden Style ...",
        "1987",
        1987,
        "Lithograph on paper; with Gary Hincks",
        "Purchased 1990",
        304,
        476,
        "on paper, print",
    ),
    (
        "P06761",
        "Peter Brook",
        "APRIL Showers",
        "1976–7",
        1976,
        "Lithograph on paper",
        "Presented by Curwen Studio 1978",
        715,
        505,
        "on paper, print",
    ),
    (
        "P02991",
        "Christopher Le Brun PRA",
        "[no title]",
        "1990",
        1990,
        "Etching on paper",
        "Presented by the artist and Charles Booth-Clibborn 1991",
        130,
        175,
        "on paper, print",
    ),
    (
        "P09032",
        "Allen Jones",
        "[no title]",
        "1976–7",
        1976,
        "Screenprint on paper",
        "Purchased 1980",
        702,
        502,
        "on paper, print",
    ),
    (
        "T00763",
        "Kenneth Noland",
        "Drought",
        "1962",
        1962,
        "Acrylic paint on canvas",
        "Purchased 1965",
        1765,
        1765,
        "painting",
    ),
    (
        "P05058",
        "John Piper",
        "Three Somerset Towers",
        "1973",
        1973,
        "Screenprint on paper",
        "Presented by Rose and Chris Prater through the Institute of Contemporary Prints ",
        895,
        654,
        "on paper, print",
    ),
    (
        "P07998",
        "Georg Baselitz",
        "Drummer",
        "1982",
        1982,
        "Linocut on paper",
        "Purchased 1984",
        1508,
        2010,
        "on paper, print",
    ),
    (
        "P06004",
        "Robert Adams",
        "Screen III",
        "1962–3",
        1962,
        "Lithograph on paper",
        "Presented by Curwen Studio through the Institute of Contemporary Prints 1975",
        472,
        676,
        "on paper, print",
    ),
    (
        "T09409",
        "John Downman",
        "Monte Jove",
        "1774",
        1774,
        "Graphite and watercolour on paper",
        "Purchased as part of the Oppé Collection with assistance from the National Lotte",
        540,
        379,
        "on paper, unique",
    ),
    (
        "N02220",
        "British School 18th century",
        "Study of a Human Skull",
        "?c.1750",
        1750,
        "Chalk on paper",
        "Presented by the Rev. John Gibson 1892",
        199,
        178,
        "on paper, unique",
    ),
    (
        "P03277",
        "L.S. Lowry",
        "Francis Terrace, Salford",
        "1969–72",
        1969,
        "Lithograph on paper",
        "Presented by Ganymed Press 1979",
        616,
        483,
        "on paper, print",
    ),
    (
        "T03608",
        "Barry Flanagan",
        "untitled (carving no. 13/81)",
        "1981",
        1981,
        "Travertine stone",
        "Purchased 1983",
        1410,
        355,
        "sculpture",
    ),
    (
        "P02698",
        "Henry Moore OM, CH",
        "Sheep in Landscape",
        "1974",
        1974,
        "Lithograph on paper",
        "Presented by the Henry Moore Foundation 1982",
        257,
        219,
        "on paper, print",
    ),
    (
        "T12082",
        "Bernard Leach",
        "Bowl",
        "1959",
        1959,
        "Reduced stoneware",
        "Accepted by HM Government in lieu of inheritance tax and allocated to Tate 2005",
        270,
        85,
        "sculpture",
    ),
    (
        "P07335",
        "Stephen Buckley",
        "[no title]",
        "1977",
        1977,
        "Intaglio print on paper",
        "Purchased 1979",
        520,
        420,
        "on paper, print",
    ),
    (
        "P11438",
        "Cindy Sherman",
        "Untitled B",
        "1975",
        1975,
        "Photograph, gelatin silver print on paper",
        "Presented by Janet Wolfson de Botton 1996",
        355,
        430,
        "on paper, print",
    ),
    (
        "P09090",
        "Sir Eduardo Paolozzi",
        "[no title]",
        "1962",
        1962,
        "Screenprint on paper",
        "Presented by Rose and Chris Prater through the Institute of Contemporary Prints ",
        210,
        298,
        "on paper, print",
    ),
    (
        "N05064",
        "Dante Gabriel Rossetti",
        "Proserpine",
        "1874",
        1874,
        "Oil paint on canvas",
        "Presented by W. Graham Robertson 1940",
        610,
        1251,
        "painting",
    ),
]

DONORS = [
    # (name, kind, email, phone, address)
    (
        "Margaret Hale",
        "person",
        "m.hale@example.org",
        "+44 161 496 0123",
        "12 Milton Road\nManchester M1 2AB",
    ),
    (
        "The Art Fund",
        "organisation",
        "acquisitions@artfund.example",
        "+44 20 7946 0456",
        "2 Granary Square\nLondon N1C 4BH",
    ),
    ("Estate of Dora Carrington", "organisation", None, None, None),
]


def _object_name(medium: str, kind: str) -> str:
    text = f"{medium} {kind}".lower()
    if "oil" in text or "acrylic" in text:
        return "painting"
    if "watercolour" in text:
        return "watercolour"
    if "photograph" in text or "gelatin" in text:
        return "photograph"
    if any(
        word in text
        for word in ("etching", "lithograph", "screenprint", "engraving", "woodcut", "print")
    ):
        return "print"
    if any(word in text for word in ("bronze", "marble", "sculpture", "steel", "wood")):
        return "sculpture"
    return "drawing"


@demo_loader(20, "objects")
def load_objects(session: Session) -> list[str]:
    from catalog.objects.models import CatalogueObject
    from catalog.objects.services import DimensionInput, MakerInput, create_object
    from catalog.parties.models import Party
    from catalog.parties.services import create_party
    from catalog.procedures import services as procedures
    from catalog.procedures.models import ObjectEntry
    from catalog.users.models import User

    actor = session.scalar(sa.select(User).where(User.email == "registrar@demo.museum"))
    if actor is None:
        return ["objects: skipped (no demo registrar)"]
    created = 0
    for number, maker, title, date_text, year, medium, credit, height, width, kind in ARTWORKS:
        if session.scalar(
            sa.select(CatalogueObject.id).where(CatalogueObject.number_key == number.lower())
        ):
            continue
        name = _object_name(medium, kind)
        create_object(
            session,
            actor=actor,
            object_number=number,
            status="accessioned",
            object_name=name,
            title=title,
            brief_description=f"{name.capitalize()} by {maker}: {title}",
            materials=medium,
            production_date=date_text,
            earliest_year=year,
            latest_year=year,
            department="Fine Art" if name == "painting" else "Prints and Drawings",
            credit_line=credit,
            keywords=None,
            makers=[MakerInput(name=maker, role="artist")],
            dimensions=[
                DimensionInput(part="support", dimension="height", value=str(height), unit="mm"),
                DimensionInput(part="support", dimension="width", value=str(width), unit="mm"),
            ],
        )
        created += 1
    images = _demo_images(session, actor)
    donors = 0
    for name, kind, email, phone, address in DONORS:
        if session.scalar(sa.select(Party.id).where(Party.name == name)) is None:
            create_party(
                session,
                actor=actor,
                name=name,
                kind=kind,
                roles=["donor"],
                email=email,
                phone=phone,
                address=address,
            )
            donors += 1
    procedures_made = 0
    if session.scalar(sa.select(sa.func.count()).select_from(ObjectEntry)) == 0:
        hale = session.scalar(sa.select(Party).where(Party.name == "Margaret Hale"))
        fund = session.scalar(sa.select(Party).where(Party.name == "The Art Fund"))
        gift = procedures.create_entry(
            session,
            actor=actor,
            depositor_id=hale.id if hale else None,
            reason="acquisition",
            entry_date=date(2026, 3, 2),
            return_date=date(2026, 6, 30),
            note="Offered as a gift; for the May committee.",
            objects=[
                procedures.ReceivedObject(
                    brief_description="Brass carriage clock, French, with travelling case",
                    object_name="clock",
                ),
                procedures.ReceivedObject(
                    brief_description="Pair of silver teaspoons, Sheffield hallmarks",
                    object_name="spoon",
                    number_of_objects=2,
                ),
            ],
        )
        procedures.create_acquisition(
            session,
            actor=actor,
            method="gift",
            acquisition_date=date(2026, 5, 14),
            object_ids=[o.id for o in gift.objects],
            source_id=hale.id if hale else None,
            credit_line="Given by Margaret Hale, 2026",
            title_transferred_on=date(2026, 5, 14),
            authoriser="Collections Committee",
            authorised_on=date(2026, 5, 12),
        )
        procedures.create_entry(
            session,
            actor=actor,
            depositor_id=fund.id if fund else None,
            reason="acquisition",
            entry_date=date(2026, 9, 8),
            return_date=date(2026, 12, 1),
            objects=[
                procedures.ReceivedObject(
                    brief_description="Sketchbook with 40 leaves of pencil studies",
                    object_name="sketchbook",
                )
            ],
        )
        procedures_made = 3
    return [
        f"objects: {created} created, {images} images; parties: {donors} donors; "
        f"procedures: {procedures_made} created"
    ]


def _demo_images(session: Session, actor: object) -> int:
    """A placeholder image (a tinted card with the number) for the first few objects."""
    import io

    from flask import current_app
    from PIL import Image, ImageDraw

    from catalog.objects.images import add_image
    from catalog.objects.models import CatalogueObject, ObjectImage

    added = 0
    for number, *_ in ARTWORKS[:6]:
        obj = session.scalar(
            sa.select(CatalogueObject).where(CatalogueObject.number_key == number.lower())
        )
        if obj is None or session.scalar(
            sa.select(ObjectImage.id).where(ObjectImage.object_id == obj.id).limit(1)
        ):
            continue
        shade = 120 + (sum(map(ord, number)) % 100)
        picture = Image.new("RGB", (800, 600), (shade, 110, 200 - shade // 2))
        draw = ImageDraw.Draw(picture)
        draw.rectangle((40, 40, 760, 560), outline=(255, 255, 255), width=6)
        draw.text((70, 70), f"{number}\n{obj.title or ''}"[:80], fill=(255, 255, 255))
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=80)
        add_image(session, obj, actor=actor, data=out.getvalue(), filename=f"{number}.jpg",
                  config=current_app.config, caption="Placeholder image (demo data)",
                  rights="Demo image, no rights reserved")
        added += 1
    return added
