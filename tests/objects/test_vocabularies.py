"""Vocabularies: seeded starter terms, admin editing, offered in forms."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalog.core.errors import PermissionDenied, ValidationError
from catalog.vocabularies import services
from catalog.vocabularies.models import VocabularyTerm


def test_starter_terms_are_seeded_with_aat_uris(db_session):
    terms = services.active_terms(db_session, ["object_name", "material", "department"])
    assert "painting" in terms["object_name"]
    assert "bronze" in terms["material"]
    assert "Fine Art" in terms["department"]
    painting = db_session.scalar(sa.select(VocabularyTerm).where(
        VocabularyTerm.vocabulary == "object_name", VocabularyTerm.term == "painting"))
    assert painting.external_uri == "http://vocab.getty.edu/aat/300033618"


def test_add_edit_and_retire(db_session, make_user):
    admin = make_user("admin")
    term = services.add_term(db_session, actor=admin, vocabulary="material", term="  Tin  glaze",
                             external_uri="http://vocab.getty.edu/aat/300014796")
    assert term.term == "Tin glaze"
    with pytest.raises(ValidationError, match="already"):
        services.add_term(db_session, actor=admin, vocabulary="material", term="tin GLAZE")
    with pytest.raises(ValidationError, match="http"):
        services.add_term(db_session, actor=admin, vocabulary="material", term="x",
                          external_uri="javascript:alert(1)")
    services.update_term(db_session, term, actor=admin, term="tin-glaze", external_uri=None,
                         scope_note=None, is_active=False)
    assert "tin-glaze" not in services.active_terms(db_session, ["material"])["material"]
    with pytest.raises(PermissionDenied):
        services.add_term(db_session, actor=make_user("viewer"), vocabulary="material",
                          term="y")


def test_vocabulary_pages(client, auth, db_session):
    auth.login("viewer")
    assert client.get("/vocabularies/").status_code == 200
    page = client.get("/vocabularies/object_name").get_data(as_text=True)
    assert "painting" in page
    assert "Add a term" not in page
    assert client.post("/vocabularies/object_name", data={"term": "kite"}).status_code == 403
    auth.logout()
    auth.login("admin")
    assert client.post("/vocabularies/object_name", data={"term": "kite"}).status_code == 302
    assert client.post("/vocabularies/object_name", data={"term": "Kite"}).status_code == 422
    assert client.get("/vocabularies/nonsense").status_code == 404
