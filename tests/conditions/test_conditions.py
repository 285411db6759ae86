"""Condition reports, photos, comparison for a loan, checks due, conservation treatments."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from PIL import Image

from catalog.conditions import services
from catalog.conditions.models import ConditionPhoto, ConditionReport
from catalog.core.errors import InvalidTransition, PermissionDenied, ValidationError
from catalog.loans import services as loan_services
from tests.loans.factories import advance, make_loan, stored_object

TODAY = date.today()  # noqa: DTZ011 (business dates, as the services use)


@pytest.fixture
def conservator(make_user):
    return make_user("conservator")


def _jpeg(size=(1200, 800), fmt="JPEG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 120, 60)).save(buffer, fmt)
    return buffer.getvalue()


def _report(db_session, obj, actor, **kw):
    kw.setdefault("context", "routine")
    kw.setdefault("examiner_name", "Connie Conservator")
    kw.setdefault("examined_on", date(2026, 10, 1))
    kw.setdefault("overall", "good")
    return services.create_report(db_session, obj=obj, actor=actor, **kw)


def test_report_with_areas_recommendations_and_next_check(db_session, conservator):
    obj = stored_object(db_session)
    report = _report(db_session, obj, conservator, overall="fair", completeness="incomplete",
                     completeness_note="Finial missing", hazards="Lead white paint",
                     areas=[("Frame / mount", "Chip lower left corner"), ("Back / verso", "")],
                     handling_recommendation="Two people; carry by the frame",
                     packing_recommendation="Travel frame and T-frame crate",
                     priority="medium", next_check_on=date(2027, 10, 1))
    assert [(a.area, a.note) for a in report.areas] == [("Frame / mount",
                                                         "Chip lower left corner")]
    assert report.examiner_id == conservator.id
    assert services.latest_report(db_session, obj) is report


def test_bad_report_input_is_refused(db_session, conservator, make_user):
    obj = stored_object(db_session)
    with pytest.raises(ValidationError, match="good, fair, poor or unstable"):
        _report(db_session, obj, conservator, overall="excellent")
    with pytest.raises(ValidationError, match="in the future"):
        _report(db_session, obj, conservator, examined_on=TODAY + timedelta(days=3))
    with pytest.raises(ValidationError, match="next check is before"):
        _report(db_session, obj, conservator, next_check_on=date(2020, 1, 1))
    with pytest.raises(PermissionDenied):
        _report(db_session, obj, make_user("collections_manager"))


def test_reports_due_lists_the_latest_report_per_object(db_session, conservator):
    today = TODAY
    overdue, later, fine = (stored_object(db_session) for _ in range(3))
    _report(db_session, overdue, conservator, next_check_on=today - timedelta(days=1),
            examined_on=today - timedelta(days=300))
    _report(db_session, later, conservator, next_check_on=today + timedelta(days=20))
    old = _report(db_session, fine, conservator, next_check_on=today,
                  examined_on=today - timedelta(days=365))
    _report(db_session, fine, conservator, next_check_on=today + timedelta(days=365))
    # A back-dated report entered afterwards does not make the object due again.
    _report(db_session, fine, conservator, next_check_on=today,
            examined_on=today - timedelta(days=700))
    due = services.reports_due(db_session, as_of=today, within_days=30)
    assert [r.object_id for r in due] == [overdue.id, later.id]
    assert old not in due


def test_photo_upload_checks_and_thumbnails(db_session, conservator, app):
    report = _report(db_session, stored_object(db_session), conservator)
    media = app.config["MEDIA_DIR"]
    photo = services.add_photo(db_session, stream=io.BytesIO(_jpeg()), media_dir=media,
                               actor=conservator, report=report, caption="Overall, recto")
    root = Path(media) / "conditions"
    assert (root / photo.filename).is_file()
    with Image.open(root / photo.thumbnail) as thumb:
        assert max(thumb.size) == 400
    assert (photo.width, photo.height) == (1200, 800)
    with pytest.raises(ValidationError, match="not a photo we can read"):
        services.add_photo(db_session, stream=io.BytesIO(b"%PDF-1.4 not an image"),
                           media_dir=media, actor=conservator, report=report)
    with pytest.raises(ValidationError, match="not a photo we can read"):
        services.add_photo(db_session, stream=io.BytesIO(_jpeg()[:600]), media_dir=media,
                           actor=conservator, report=report)
    with pytest.raises(ValidationError, match="GIF images are not accepted"):
        services.add_photo(db_session, stream=io.BytesIO(_jpeg(fmt="GIF")), media_dir=media,
                           actor=conservator, report=report)


def test_comparison_of_outgoing_and_returning_reports(db_session, conservator, make_user):
    manager = make_user("collections_manager")
    obj = stored_object(db_session)
    loan = make_loan(db_session, manager)
    loan_services.add_object(db_session, loan, obj, actor=manager)
    _report(db_session, obj, conservator, context="loan_out", loan=loan, overall="good",
            examined_on=date(2026, 2, 1))
    _report(db_session, obj, conservator, context="loan_return", loan=loan, overall="fair",
            examined_on=date(2026, 8, 1), areas=[("Surface", "New scratch 3 cm")])
    [row] = services.loan_comparison(db_session, loan)
    assert row["outgoing"].overall == "good"
    assert row["returning"].overall == "fair"
    assert row["worse"] is True


def test_treatment_proposal_approval_record_and_completion(db_session, conservator):
    obj = stored_object(db_session)
    treatment = services.propose_treatment(db_session, obj=obj, actor=conservator,
                                           proposal="Surface clean; consolidate flaking")
    with pytest.raises(InvalidTransition, match="approve the proposal first"):
        services.advance_treatment(db_session, treatment, "start", actor=conservator)
    services.advance_treatment(db_session, treatment, "approve", actor=conservator)
    assert treatment.approved_by_id == conservator.id
    services.advance_treatment(db_session, treatment, "start", actor=conservator,
                               on=date(2026, 9, 1))
    with pytest.raises(ValidationError, match="Write the treatment record"):
        services.advance_treatment(db_session, treatment, "complete", actor=conservator)
    services.record_treatment(db_session, treatment, treatment_record="Cleaned with saliva",
                              materials_used="Aquazol 200 5% in ethanol", conservator_name="C.",
                              actor=conservator)
    services.advance_treatment(db_session, treatment, "complete", actor=conservator,
                               on=date(2026, 9, 20))
    assert treatment.status == "completed"
    assert services.open_treatment(db_session, obj) is None


def test_pages_and_permissions(auth, client, db_session, app):
    user = auth.login("conservator")
    obj = stored_object(db_session, title="Harbour at dusk")
    db_session.commit()
    response = client.post("/conditions/new", data={
        "object_number": obj.object_number, "context": "routine", "examiner_name": "Connie",
        "examined_on": "2026-10-01", "overall": "poor", "completeness": "complete",
        "priority": "high", "next_check_on": "2026-12-01",
        "areas-0-area": "Surface", "areas-0-note": "Flaking along the lower edge"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    report = db_session.query(ConditionReport).one()
    assert report.examiner_id == user.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Flaking along the lower edge" in page
    assert "Poor" in page
    response = client.post(f"/conditions/{report.id}/photos", data={
        "photo": (io.BytesIO(_jpeg()), "recto.jpg"), "kind": "general", "caption": "Recto"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    photo = db_session.query(ConditionPhoto).one()
    thumb = client.get(f"/conditions/photos/{photo.id}/thumb")
    assert thumb.status_code == 200
    assert thumb.mimetype == "image/jpeg"
    assert thumb.get_data()[:2] == b"\xff\xd8"
    thumb.close()
    response = client.post(f"/conditions/{report.id}/photos", data={
        "photo": (io.BytesIO(b"hello"), "notes.txt"), "kind": "general"},
        content_type="multipart/form-data", follow_redirects=True)
    assert "not a photo we can read" in response.get_data(as_text=True)
    assert "Harbour at dusk" in client.get("/conditions/due?within=90").get_data(as_text=True)
    pdf = client.get(f"/conditions/{report.id}.pdf")
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    auth.logout()
    auth.login("collections_manager")  # sees condition, cannot write it
    assert client.get(f"/conditions/{report.id}").status_code == 200
    assert client.get("/conditions/new").status_code == 403


def test_report_form_errors_are_shown(auth, client, db_session):
    auth.login("conservator")
    response = client.post("/conditions/new", data={
        "object_number": "NO-SUCH-1", "context": "routine", "examiner_name": "Connie",
        "examined_on": "2026-10-01", "overall": "good", "completeness": "complete",
        "priority": "low"})
    assert response.status_code == 422
    assert "There is no object numbered" in response.get_data(as_text=True)


def test_treatment_pages(auth, client, db_session):
    auth.login("conservator")
    obj = stored_object(db_session)
    db_session.commit()
    response = client.post("/conditions/treatments/new", data={
        "object_number": obj.object_number, "proposal": "Reline the canvas"})
    assert response.status_code == 302
    url = response.headers["Location"]
    treatment_id = int(url.rstrip("/").split("/")[-1])
    response = client.post(f"/conditions/treatments/{treatment_id}/complete", data={})
    assert response.status_code == 409
    assert client.post(f"/conditions/treatments/{treatment_id}/approve").status_code == 302
    assert "Approved" in client.get(url).get_data(as_text=True)


def test_compare_page_for_a_loan(auth, client, db_session, make_user):
    conservator = auth.login("conservator")
    obj = stored_object(db_session)
    loan = make_loan(db_session)
    lo = loan_services.add_object(db_session, loan, obj, actor=None)
    advance(db_session, loan, "approve", "sign_agreement", "dispatch", on=date(2026, 3, 1))
    loan_services.return_objects(db_session, loan, [lo], on=date(2026, 6, 1), actor=None)
    _report(db_session, obj, conservator, context="loan_out", loan=loan, overall="good",
            examined_on=date(2026, 2, 20))
    _report(db_session, obj, conservator, context="loan_return", loan=loan,
            overall="unstable", examined_on=date(2026, 6, 2))
    db_session.commit()
    page = client.get(f"/conditions/loans/{loan.id}/compare").get_data(as_text=True)
    assert "Outgoing" in page
    assert "Returning" in page
    assert "condition worse on return" in page


def test_photo_annotations(auth, client, db_session, app):
    from catalog.conditions.models import PhotoAnnotation

    conservator = auth.login("conservator")
    report = _report(db_session, stored_object(db_session), conservator)
    photo = services.add_photo(db_session, stream=io.BytesIO(_jpeg()),
                               media_dir=app.config["MEDIA_DIR"], actor=conservator,
                               report=report)
    with pytest.raises(ValidationError, match="outside the photo"):
        services.annotate_photo(db_session, photo, x=1200, y=10, note="x", actor=conservator)
    db_session.commit()
    response = client.post(f"/conditions/photos/{photo.id}/annotations",
                           data={"x": "250", "y": "500", "note": "Crack 3 cm"})
    assert response.status_code == 302
    mark = db_session.query(PhotoAnnotation).one()
    assert (mark.x, mark.y, mark.left, mark.top) == (250, 500, 100, 200)
    page = client.get(f"/conditions/{report.id}").get_data(as_text=True)
    assert "an-x-100 an-y-200" in page
    assert "Crack 3 cm" in page
    response = client.post(f"/conditions/photos/{photo.id}/annotations",
                           data={"x": "", "y": "5", "note": "No place"}, follow_redirects=True)
    assert "Tap on the photo" in response.get_data(as_text=True)
    assert db_session.query(PhotoAnnotation).count() == 1
