"""The readings API, the environment pages, chart data and alert handling in the browser."""

from __future__ import annotations

import io
from datetime import timedelta

import sqlalchemy as sa

from catalog.environment import services
from catalog.environment.models import Alert, Reading
from catalog.users.services import create_token
from tests.environment.conftest import T0, series
from tests.environment.test_parsers import ENV


def _bearer(db_session, user):
    _, plain = create_token(db_session, user, name="logger gateway")
    # a refused request rolls back its unit of work: the set-up must be committed before
    db_session.commit()
    return {"Authorization": f"Bearer {plain}"}


def test_api_posts_and_reads_readings(client, db_session, sensor, make_user):
    headers = _bearer(db_session, make_user("collections_manager"))
    body = {"sensor": "TT-1", "readings": [
        {"taken_at": "2025-06-01T10:00:00+01:00", "temperature": 20.5, "humidity": 51.2},
        {"taken_at": "2025-06-01T09:15:00Z", "temperature": 20.7, "humidity": 51.0},
        {"taken_at": "2025-06-01T09:15:00Z", "temperature": 20.7, "humidity": 51.0},
    ]}
    response = client.post("/api/v1/environment/readings", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json() == {"sensor": "TT-1", "imported": 2, "duplicates": 1,
                                   "alerts_opened": 0}
    stored = db_session.get(Reading, (sensor.id, T0 + timedelta(hours=9)))
    assert (stored.temperature, stored.humidity) == (2050, 512)
    response = client.get("/api/v1/environment/readings?sensor=TT-1"
                          "&start=2025-06-01T00:00:00Z&end=2025-06-02T00:00:00Z", headers=headers)
    assert response.status_code == 200
    readings = response.get_json()["readings"]
    assert [r["temperature"] for r in readings] == [20.5, 20.7]


def test_api_refuses_bad_input_with_json(client, db_session, sensor, make_user):
    headers = _bearer(db_session, make_user("collections_manager"))
    url = "/api/v1/environment/readings"
    naive = {"sensor": "TT-1", "readings": [{"taken_at": "2025-06-01T10:00:00",
                                             "temperature": 20}]}
    response = client.post(url, json=naive, headers=headers)
    assert response.status_code == 422
    assert "taken_at" in str(response.get_json()["errors"])
    response = client.post(url, json={"sensor": "TT-1", "readings": [
        {"taken_at": "2025-06-01T10:00:00Z", "humidity": 140}]}, headers=headers)
    assert response.status_code == 422
    response = client.post(url, json={"sensor": "NOPE", "readings": [
        {"taken_at": "2025-06-01T10:00:00Z", "humidity": 40}]}, headers=headers)
    assert response.status_code == 422
    assert "no sensor with the code" in response.get_json()["message"]
    response = client.post(url, json={"sensor": "TT-1", "readings": [
        {"taken_at": "2025-06-01T10:00:00Z"}]}, headers=headers)
    assert response.status_code == 422
    assert response.get_json()["message"].startswith("Reading 1")
    response = client.post(url, data="not json", headers={**headers,
                                                          "Content-Type": "application/json"})
    assert 400 <= response.status_code < 500
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Reading)) == 0


def test_api_refuses_a_viewer(client, db_session, sensor, make_user):
    viewer = _bearer(db_session, make_user("viewer"))
    response = client.post("/api/v1/environment/readings", json={"sensor": "TT-1", "readings": [
        {"taken_at": "2025-06-01T10:00:00Z", "humidity": 40}]}, headers=viewer)
    assert response.status_code == 403
    assert response.is_json
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Reading)) == 0
    assert client.get("/api/v1/environment/readings?sensor=TT-1",
                      headers=viewer).status_code == 200


def test_upload_form_and_bad_file_message(auth, client, db_session, sensor):
    auth.login("collections_manager")
    data = (ENV / "hanwell/Hanwell_1.csv").read_bytes()
    response = client.post(f"/environment/sensors/{sensor.id}/import", data={
        "imp-file": (io.BytesIO(data), "Hanwell_1.csv")}, content_type="multipart/form-data")
    assert response.status_code == 302
    assert "10 reading(s) imported" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    bad = data.replace(b"03:00:00 21/Nov/2025", b"03:00:00 31/Nov/2025")
    response = client.post(f"/environment/sensors/{sensor.id}/import", data={
        "imp-file": (io.BytesIO(bad), "Hanwell_2.csv")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Hanwell_2.csv line 20: cannot read the date/time" in response.get_data(as_text=True)


def test_manual_reading_form(auth, client, db_session, sensor):
    auth.login("collections_manager")
    response = client.post(f"/environment/sensors/{sensor.id}/readings", data={
        "man-taken_at": "2025-06-01T10:00", "man-temperature": "21.5", "man-humidity": "48"})
    assert response.status_code == 302
    stored = db_session.scalar(sa.select(Reading))
    assert stored.taken_at == T0 + timedelta(hours=9)  # 10:00 BST
    response = client.post(f"/environment/sensors/{sensor.id}/readings", data={
        "man-taken_at": "2025-06-01T11:00"})
    assert response.status_code == 422
    assert "give a temperature, a humidity or both" in response.get_data(as_text=True)


def test_location_page_chart_data_and_stats(auth, client, db_session, sensor, tree):
    # two days at 15 minutes: day one in range, day two too humid in the afternoon
    values = [(20.0, 50.0)] * 96 + [(21.0, 50.0)] * 48 + [(22.0, 66.0)] * 48
    services.store_readings(db_session, sensor, series(T0, values), source="test", actor=None)
    auth.login("technician")
    page = client.get(f"/environment/locations/{tree['store'].id}?range=7d")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "75.0 %" in text  # 48 of 192 readings outside 40–60 % RH
    assert "vendor/uplot/uPlot.iife.min.js" in text
    assert "<script>" not in text
    data = client.get(f"/environment/locations/{tree['store'].id}/series.json?range=7d"
                      f"&end={int((T0 + timedelta(days=2)).timestamp())}").get_json()
    assert data["bucket_seconds"] == 660  # 7 days in at most 1000 points
    assert data["target"]["rh_max"] == 60.0
    assert max(v for v in data["rh_max"] if v is not None) == 66.0
    assert min(v for v in data["temp_min"] if v is not None) == 20.0
    stats = services.daily_stats(db_session, tree["store"], start=T0, end=T0 + timedelta(days=2),
                                 timezone="UTC")
    assert [(s.day.isoformat(), s.count, s.temp_min, s.temp_max, s.rh_max) for s in stats] == [
        ("2025-06-02", 96, 21.0, 22.0, 66.0), ("2025-06-01", 96, 20.0, 20.0, 50.0)]
    assert stats[0].temp_mean == 21.5


def test_alert_pages_acknowledge_and_refusal(auth, client, db_session, sensor):
    services.store_readings(db_session, sensor, series(T0, [(30.0, 50.0)] * 12), source="test",
                            actor=None)
    alert = db_session.scalar(sa.select(Alert))
    auth.login("technician")
    assert "Temperature above target" in client.get("/environment/alerts").get_data(as_text=True)
    assert client.post(f"/environment/alerts/{alert.id}/acknowledge",
                       data={"note": "x"}).status_code == 403
    assert client.post(f"/environment/alerts/{alert.id}/close", data={}).status_code == 403
    assert alert.status == "open"


def test_manager_acknowledges_and_closes_alert(auth, client, db_session, sensor):
    services.store_readings(db_session, sensor, series(T0, [(30.0, 50.0)] * 12), source="test",
                            actor=None)
    alert = db_session.scalar(sa.select(Alert))
    auth.login("collections_manager")
    response = client.post(f"/environment/alerts/{alert.id}/acknowledge", data={"note": ""})
    assert response.status_code == 422
    response = client.post(f"/environment/alerts/{alert.id}/acknowledge",
                           data={"note": "Blinds closed"})
    assert response.status_code == 302
    assert alert.status == "acknowledged"
    response = client.post(f"/environment/alerts/{alert.id}/close", data={"note": "OK now"})
    assert response.status_code == 302
    assert alert.status == "closed"


def test_environment_overview_flags_silent_sensor(auth, client, db_session, sensor):
    services.store_readings(db_session, sensor, series(T0, [(20.0, 50.0)]), source="test",
                            actor=None)
    auth.login("viewer")
    text = client.get("/environment/").get_data(as_text=True)
    assert "TT-1" in text
    assert "silent" in text
    assert client.get("/environment/sensors/new").status_code == 403


def test_dashboard_panel_lists_open_alerts(auth, client, db_session, sensor):
    services.store_readings(db_session, sensor, series(T0, [(30.0, 50.0)] * 12), source="test",
                            actor=None)
    auth.login("viewer")
    text = client.get("/").get_data(as_text=True)
    assert "Environment alerts" in text
    assert "Temperature above target" in text
