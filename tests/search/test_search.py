"""The search box, facets, sorting, pages, the selection, saved searches and CSV export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from catalog.search.models import SelectedObject
from catalog.search.services import SearchParams, search
from tests.search.factories import make_object, make_party


@pytest.fixture
def catalogue(db_session: Any) -> dict[str, Any]:
    turner = make_party(db_session, "Joseph Mallord William Turner")
    blake = make_party(db_session, "William Blake")
    made = {}
    for number, fields, makers in [
        ("T03868", {"title": "Norham Castle, Sunrise", "object_name": "painting",
                    "department": "Paintings", "earliest_year": 1845, "latest_year": 1845,
                    "keywords": "castle; river; dawn"}, (turner,)),
        ("T03869", {"title": "Study of Sea and Sky", "object_name": "painting",
                    "department": "Paintings", "earliest_year": 1820}, (turner,)),
        ("2024.2.9", {"title": "Sketchbook", "object_name": "sketchbook",
                      "department": "Prints and drawings", "earliest_year": 1794,
                      "brief_description": "Pencil studies of Welsh castles"}, (turner,)),
        ("2024.2.10", {"title": "The Ghost of a Flea", "object_name": "painting",
                       "department": "Paintings", "earliest_year": 1819,
                       "status": "loan_in"}, (blake,)),
        ("82.8.7.1/1", {"title": "Untitled fragment", "object_name": "textile"}, ()),
    ]:
        made[number] = make_object(db_session, number, makers=makers, **fields)
    return {"objects": made, "turner": turner, "blake": blake}


def run(db_session: Any, **args: Any) -> Any:
    items = []
    for key, value in args.items():
        items.extend((key, v) for v in (value if isinstance(value, list) else [value]))
    return search(db_session, SearchParams.from_args(MultiDict(items)))


def numbers(result: Any) -> list[str]:
    return [h.object_number for h in result.hits]


def test_exact_number_ranks_first_then_partial_numbers(db_session: Any, catalogue: Any) -> None:
    result = run(db_session, q="t03868")
    assert numbers(result)[0] == "T03868"
    assert result.hits[0].rank == 0
    assert numbers(run(db_session, q="T0386")) == ["T03868", "T03869"]
    # Part of a number, not at its start.
    assert numbers(run(db_session, q="3869")) == ["T03869"]
    assert numbers(run(db_session, q="2024.2.9")) == ["2024.2.9"]
    assert numbers(run(db_session, q="8.7.1/1")) == ["82.8.7.1/1"]


def test_words_find_title_maker_description_and_keywords(db_session: Any,
                                                         catalogue: Any) -> None:
    assert set(numbers(run(db_session, q="castle"))) == {"T03868", "2024.2.9"}
    assert set(numbers(run(db_session, q="turner"))) == {"T03868", "T03869", "2024.2.9"}
    assert numbers(run(db_session, q="blake flea")) == ["2024.2.10"]
    assert numbers(run(db_session, q="dawn")) == ["T03868"]
    # Word prefixes: "sket" finds "Sketchbook".
    assert numbers(run(db_session, q="sket")) == ["2024.2.9"]
    assert run(db_session, q="zebra").total == 0
    # Punctuation and quotes cannot break the query.
    assert run(db_session, q='"castle" OR (* -').total >= 0


def test_edits_through_the_orm_are_found_at_once(db_session: Any, catalogue: Any) -> None:
    obj = catalogue["objects"]["82.8.7.1/1"]
    obj.title = "Embroidered panel"
    obj.keywords = "silk"
    db_session.flush()
    assert numbers(run(db_session, q="embroidered silk")) == ["82.8.7.1/1"]
    assert run(db_session, q="untitled").total == 0
    newcomer = make_party(db_session, "Mary Moser")
    from catalog.objects.models import ObjectMaker

    obj.makers.append(ObjectMaker(party=newcomer, role="artist"))
    db_session.flush()
    assert numbers(run(db_session, q="moser")) == ["82.8.7.1/1"]


def test_facets_count_the_result_set_and_filter_it(db_session: Any, catalogue: Any) -> None:
    result = run(db_session)
    assert result.total == 5
    facets = {name: {label: n for _, label, n in values} for name, values in result.facets.items()}
    assert facets["object_name"] == {"painting": 3, "sketchbook": 1, "textile": 1}
    assert facets["department"] == {"Paintings": 3, "Prints and drawings": 1}
    assert facets["maker"] == {"Joseph Mallord William Turner": 3, "William Blake": 1}
    assert facets["century"] == {"1700s–1799": 1, "1800s–1899": 3}
    assert facets["status"]["On loan in"] == 1
    filtered = run(db_session, object_name="painting", maker=str(catalogue["turner"].id))
    assert set(numbers(filtered)) == {"T03868", "T03869"}
    assert numbers(run(db_session, decade="1840")) == ["T03868"]
    assert set(numbers(run(db_session, century="1800", q="turner"))) == {"T03868", "T03869"}
    assert numbers(run(db_session, status="loan_in")) == ["2024.2.10"]


def test_sorts_and_keyset_pages(db_session: Any, catalogue: Any) -> None:
    assert numbers(run(db_session, sort="number")) == [
        "82.8.7.1/1", "2024.2.9", "2024.2.10", "T03868", "T03869"]
    assert numbers(run(db_session, sort="date"))[:3] == ["2024.2.9", "2024.2.10", "T03869"]
    assert numbers(run(db_session, sort="title"))[0] == "T03868"  # "Norham …"
    params = SearchParams.from_args(MultiDict([("sort", "number")]))
    params.per_page = 2
    seen = []
    while True:
        page = search(db_session, params, with_facets=False)
        seen.extend(numbers(page))
        if not page.next_after:
            break
        params.after = page.next_after
    assert seen == ["82.8.7.1/1", "2024.2.9", "2024.2.10", "T03868", "T03869"]


def test_search_page_selection_and_select_all(client: Any, auth: Any, db_session: Any,
                                              catalogue: Any) -> None:
    user = auth.login("registrar")
    html = client.get("/search/?q=turner").get_data(as_text=True)
    assert "3</strong> objects" in html
    assert "Select all 3 results" in html
    t1 = catalogue["objects"]["T03868"].id
    response = client.post("/search/select", data={"object_id": [str(t1)], "action": "add",
                                                   "next": "/search/?q=turner"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/search/?q=turner"
    assert 'class="is-selected"' in client.get("/search/?q=turner").get_data(as_text=True)
    client.post("/search/select-all", data={"q": "turner", "next": "https://evil.example/"})
    selected = set(db_session.scalars(sa.select(SelectedObject.object_id).where(
        SelectedObject.user_id == user.id)))
    assert len(selected) == 3
    page = client.get("/search/selection").get_data(as_text=True)
    assert "Your selection (3)" in page
    exported = client.get("/search/selection/export.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert sorted(r["object_number"] for r in rows) == ["2024.2.9", "T03868", "T03869"]
    client.post("/search/select", data={"object_id": [str(t1)], "action": "remove"})
    client.post("/search/selection/clear")
    assert db_session.scalar(sa.select(sa.func.count()).select_from(SelectedObject)) == 0


def test_export_of_a_search_result(client: Any, auth: Any, catalogue: Any) -> None:
    auth.login("viewer")
    response = client.get("/search/export.csv?q=painting&department=Paintings")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {r["object_number"] for r in rows} == {"T03868", "T03869", "2024.2.10"}
    assert rows[0]["makers"] == "William Blake [artist]"


def test_saved_searches_are_per_user(client: Any, auth: Any, catalogue: Any) -> None:
    auth.login("viewer")
    client.post("/search/saved", data={"name": "Turner paintings",
                                       "query": "q=turner&object_name=painting"})
    html = client.get("/search/").get_data(as_text=True)
    assert "Turner paintings" in html
    assert "?q=turner&amp;object_name=painting" in html
    auth.logout()
    auth.login("viewer")
    assert "Turner paintings" not in client.get("/search/").get_data(as_text=True)


def test_a_forged_page_token_is_a_message_not_an_error(client: Any, auth: Any,
                                                       catalogue: Any) -> None:
    auth.login("viewer")
    response = client.get("/search/?q=turner&after=not-a-token")
    assert response.status_code == 302
    assert client.get("/search/?century=abc&maker=x&location=").status_code == 200


def test_nav_and_dashboard_offer_the_search(client: Any, auth: Any) -> None:
    auth.login("viewer")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/search/"' in html
    assert 'id="panel-q"' in html


def test_whole_catalogue_facets_follow_every_change(db_session: Any, catalogue: Any) -> None:
    def painting_count() -> int:
        facets = run(db_session).facets
        return {label: n for _, label, n in facets["object_name"]}.get("painting", 0)

    assert painting_count() == 3
    catalogue["objects"]["82.8.7.1/1"].object_name = "painting"
    db_session.flush()  # the audit row moves the catalogue version on
    assert painting_count() == 4
    make_object(db_session, "NEW.1", object_name="painting")
    assert painting_count() == 5
