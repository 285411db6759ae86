"""Parties: create, edit, personal details by permission, merging duplicates."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from catalog.core.audit import AuditLog
from catalog.core.errors import PermissionDenied, ValidationError
from catalog.objects import services as object_services
from catalog.parties import services
from catalog.parties.models import Party, PartyRole


@pytest.fixture
def registrar(make_user):
    return make_user("registrar")


def test_create_person_makes_sort_name(db_session, registrar):
    party = services.create_party(db_session, actor=registrar, name="Barbara Hepworth",
                                  roles=["maker", "donor"], dates="1903–1975", country="gb")
    assert party.sort_name == "Hepworth, Barbara"
    assert party.country == "GB"
    assert party.role_codes == {"maker", "donor"}


def test_bad_input_is_refused(db_session, registrar):
    with pytest.raises(ValidationError, match="name"):
        services.create_party(db_session, actor=registrar, name="  ")
    with pytest.raises(ValidationError, match="two-letter"):
        services.create_party(db_session, actor=registrar, name="X", country="GBR")
    with pytest.raises(ValidationError, match="Unknown role"):
        services.create_party(db_session, actor=registrar, name="X", roles=["king"])
    with pytest.raises(PermissionDenied):
        services.create_party(db_session, actor=services_user(db_session, "viewer"), name="X")


def services_user(db_session, role):
    from catalog.users.services import create_user

    return create_user(db_session, email=f"{role}-x@example.org", password="x" * 12,
                       role_codes=[role])


def test_merge_repoints_every_reference(db_session, registrar):
    from datetime import date as _date

    from catalog.procedures import services as procedures

    keep = services.create_party(db_session, actor=registrar, name="J. M. W. Turner",
                                 roles=["maker"])
    dup = services.create_party(db_session, actor=registrar, name="Joseph Turner",
                                roles=["maker", "donor"], email="jt@example.org",
                                dates="1775–1851")
    older_dup = services.create_party(db_session, actor=registrar, name="Turner (old)")
    older_dup.merged_into_id = dup.id
    obj = object_services.create_object(
        db_session, actor=registrar, object_number="N00530", object_name="painting",
        brief_description="Snow storm",
        makers=[object_services.MakerInput(name="x", party_id=dup.id, role="painter")])
    entry = procedures.create_entry(
        db_session, actor=registrar, depositor_id=dup.id, reason="loan_in",
        entry_date=_date(2026, 1, 5),
        objects=[procedures.ReceivedObject(brief_description="Sketchbook")])
    counts = services.merge_parties(db_session, actor=registrar, keep=keep, duplicate=dup)
    db_session.expire_all()
    assert db_session.get(Party, dup.id).merged_into_id == keep.id
    assert db_session.get(Party, older_dup.id).merged_into_id == keep.id
    assert db_session.get(type(obj), obj.id).makers[0].party_id == keep.id
    assert db_session.get(type(entry), entry.id).depositor_id == keep.id
    roles = db_session.scalars(sa.select(PartyRole.role).where(PartyRole.party_id == keep.id))
    assert set(roles) == {"maker", "donor", "depositor"}
    assert counts["object_makers.party_id"] == 1
    assert counts["object_entries.depositor_id"] == 1
    kept = db_session.get(Party, keep.id)
    assert kept.email == "jt@example.org"
    assert kept.dates == "1775–1851"
    merge_log = db_session.scalars(sa.select(AuditLog).where(
        AuditLog.record_type == "parties", AuditLog.action == "merge")).one()
    assert merge_log.record_id == str(keep.id)
    # every table with a foreign key to parties is covered, found from the metadata
    referencing = {f"{t.name}.{c.name}" for t, c in services.party_references()}
    assert {"object_makers.party_id", "party_roles.party_id", "parties.merged_into_id",
            "object_entries.depositor_id", "acquisitions.source_id",
            "deaccessions.recipient_id"} <= referencing
    with pytest.raises(ValidationError, match="already merged"):
        services.merge_parties(db_session, actor=registrar, keep=kept,
                               duplicate=db_session.get(Party, dup.id))


def test_merge_covers_tables_added_later(db_session, registrar, app):
    """A table another domain adds with a party reference is repointed without code changes."""
    from catalog.extensions import db

    metadata = db.metadata
    table = sa.Table("tmp_party_notes", metadata, sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("party_id", sa.ForeignKey("parties.id")))
    try:
        table.create(db_session.connection())
        keep = services.create_party(db_session, actor=registrar, name="Keep")
        dup = services.create_party(db_session, actor=registrar, name="Dup")
        db_session.execute(table.insert().values(id=1, party_id=dup.id))
        counts = services.merge_parties(db_session, actor=registrar, keep=keep, duplicate=dup)
        assert counts["tmp_party_notes.party_id"] == 1
        assert db_session.execute(sa.select(table.c.party_id)).scalar_one() == keep.id
    finally:
        metadata.remove(table)


def test_personal_details_only_with_permission(client, auth, db_session, registrar):
    party = services.create_party(db_session, actor=registrar, name="Ann Donor",
                                  roles=["donor"], email="ann@example.org",
                                  phone="+44 20 7946 0000", address="2 Secret Lane")
    auth.login("viewer")
    page = client.get(f"/parties/{party.id}").get_data(as_text=True)
    assert "Ann Donor" in page
    for secret in ("ann@example.org", "7946", "Secret Lane"):
        assert secret not in page
    viewer = auth.user
    assert "email" not in services.party_as_dict(party, viewer)
    auth.logout()
    auth.login("registrar")
    page = client.get(f"/parties/{party.id}").get_data(as_text=True)
    assert "ann@example.org" in page
    assert "Secret Lane" in page
    assert services.party_as_dict(party, auth.user)["email"] == "ann@example.org"


def test_history_hides_personal_changes(client, auth, db_session, registrar):
    party = services.create_party(db_session, actor=registrar, name="Bea", email="bea@x.org")
    auth.login("collections_manager")  # edits parties, no parties.personal
    page = client.get(f"/parties/{party.id}").get_data(as_text=True)
    assert "bea@x.org" not in page
    # editing without the permission leaves the contact details alone
    response = client.post(f"/parties/{party.id}/edit", data={
        "kind": "person", "name": "Bea Smith", "email": "hacked@x.org"})
    assert response.status_code == 302
    db_session.refresh(party)
    assert party.name == "Bea Smith"
    assert party.email == "bea@x.org"


def test_party_pages(client, auth, db_session):
    auth.login("registrar")
    created = client.post("/parties/new", data={"kind": "organisation", "name": "Art Fund",
                                                "roles": ["donor"], "email": "info@artfund.org"})
    assert created.status_code == 302
    party = db_session.scalar(sa.select(Party).where(Party.name == "Art Fund"))
    assert party.sort_name == "Art Fund"
    assert party.email == "info@artfund.org"
    listing = client.get("/parties/?q=art&role=donor").get_data(as_text=True)
    assert "Art Fund" in listing
    assert client.get("/parties/?q=zzz").get_data(as_text=True).count("Art Fund") == 0
    bad = client.post("/parties/new", data={"kind": "person", "name": ""})
    assert bad.status_code == 422


def test_merge_view(client, auth, db_session, registrar):
    keep = services.create_party(db_session, actor=registrar, name="Tate")
    dup = services.create_party(db_session, actor=registrar, name="Tate Gallery")
    auth.login("registrar")
    response = client.post(f"/parties/{keep.id}/merge", data={"duplicate_id": str(dup.id)})
    assert response.status_code == 302
    page = client.get(f"/parties/{dup.id}").get_data(as_text=True)
    assert "merged into" in page
    auth.logout()
    auth.login("viewer")
    assert client.post(f"/parties/{keep.id}/merge",
                       data={"duplicate_id": str(dup.id)}).status_code == 403


def test_deaccession_recipient_found_by_name(db_session, registrar):
    party = services.create_party(db_session, actor=registrar, name="Town Museum")
    assert services.find_party_by_name(db_session, " town  museum ", field="x").id == party.id
    assert date(2026, 1, 1)


def test_api_hides_personal_details(client, db_session, registrar, make_user):
    from catalog.users.services import create_token

    party = services.create_party(db_session, actor=registrar, name="Carol Lender",
                                  roles=["lender"], email="carol@example.org")
    viewer = make_user("viewer")
    _, token = create_token(db_session, viewer, name="test")
    _, full_token = create_token(db_session, registrar, name="test")
    db_session.commit()  # a savepoint: GET requests roll back what was not committed
    headers = {"Authorization": f"Bearer {token}"}
    one = client.get(f"/api/v1/parties/{party.id}", headers=headers).get_json()
    assert one["name"] == "Carol Lender"
    assert "email" not in one, one
    full = client.get(f"/api/v1/parties/{party.id}",
                      headers={"Authorization": f"Bearer {full_token}"}).get_json()
    assert full["email"] == "carol@example.org"
    assert client.get("/api/v1/parties/99999", headers=headers).status_code == 404


def test_control_characters_never_reach_the_database(client, auth, db_session):
    """PostgreSQL refuses NUL in text: such input is cleaned, never a server error."""
    auth.login("registrar")
    assert client.get("/parties/?q=a%00b").status_code == 200
    created = client.post("/parties/new", data={"kind": "person", "name": "Ann\x00 Bell"})
    assert created.status_code == 302
    assert db_session.scalar(sa.select(Party.name).where(Party.name == "Ann Bell")) == "Ann Bell"
    obj = client.post("/objects/new", data={"object_number": "N\x00UL.1", "status": "entry",
                                            "number_of_objects": "1"})
    assert obj.status_code == 302
    assert client.get("/objects/check-number?number=nul%00.1").get_json()["duplicate"] is True
