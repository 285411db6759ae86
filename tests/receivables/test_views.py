from datetime import timedelta

import sqlalchemy as sa

from catalog.core.outbox import OutboxMessage
from catalog.receivables.models import Promise
from tests.receivables.conftest import TODAY


def test_only_collectors_see_the_collections_pages(auth, client):
    auth.login("registrar")
    assert client.get("/receivables/").status_code == 403
    assert client.get("/receivables/aging").status_code == 403


def test_work_queue_aging_and_account_pages(auth, client, make_party, overdue):
    user = auth.login("finance_officer")
    party = make_party("Queue Museum <b>")
    overdue(party, 12_345, days=40)
    page = client.get(f"/receivables/?as_of={TODAY}").get_data(as_text=True)
    assert "Queue Museum &lt;b&gt;" in page
    assert "GBP 123.45" in page
    page = client.get(f"/receivables/aging?as_of={TODAY}&edges=30,60").get_data(as_text=True)
    assert "31–60" in page, page[page.find("<table") :][:1500]
    assert "GBP 123.45" in page, page[page.find("<table") :][:2500]
    csv_text = client.get(f"/receivables/aging?as_of={TODAY}&format=csv&by=invoice").get_data(
        as_text=True
    )
    assert "INV-" in csv_text
    assert "123.45" in csv_text
    assert client.get(f"/receivables/aging?as_of={TODAY}&format=pdf").data.startswith(b"%PDF")
    assert client.get("/receivables/aging?edges=90,30").status_code == 422
    assert client.get("/receivables/aging?as_of=yesterday").status_code == 422
    assert client.get(f"/receivables/accounts/{party.id}").status_code == 200
    assert user is not None


def test_promise_form_refuses_bad_input_and_saves_good(
    auth, client, db_session, make_party, overdue
):
    auth.login("finance_officer")
    party = make_party("Promiser")
    overdue(party, 10_000, days=10)
    bad = client.post(
        f"/receivables/accounts/{party.id}/promise",
        data={
            "promise-amount": "12.345",
            "promise-promised_on": "2099-01-01",
            "promise-grace_days": "3",
        },
    )
    assert bad.status_code == 422
    assert "more decimals than GBP allows" in bad.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Promise)) == 0
    good = client.post(
        f"/receivables/accounts/{party.id}/promise",
        data={
            "promise-amount": "100.00",
            "promise-promised_on": "2099-01-01",
            "promise-grace_days": "3",
        },
    )
    assert good.status_code == 302
    assert db_session.scalars(sa.select(Promise)).one().amount_minor == 10_000


def test_run_review_and_approve_in_the_browser_flow(auth, client, db_session, make_party, overdue):
    auth.login("finance_officer")
    party = make_party("Reviewed Gallery")
    overdue(party, 10_000, days=10)
    response = client.post("/receivables/runs", data={"as_of": TODAY.isoformat()})
    assert response.status_code == 302
    run_url = response.headers["Location"]
    page = client.get(run_url).get_data(as_text=True)
    assert "Reviewed Gallery" in page
    assert "First reminder" in page
    line_id = page.split('name="line" value="')[1].split('"')[0]
    client.post(run_url, data={"line": line_id})
    client.post(run_url, data={"line": line_id})  # a double click sends nothing more
    assert db_session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    trail = client.get(f"/receivables/accounts/{party.id}/trail.csv").get_data(as_text=True)
    assert "reminder" in trail
    assert "invoice" in trail
    assert client.get(f"/receivables/accounts/{party.id}/trail.pdf").data.startswith(b"%PDF")


def test_policy_levels_are_editable_and_templates_checked(auth, client):
    auth.login("finance_officer")
    data = {
        "name": "Courtesy call",
        "days_after_due": "14",
        "channel": "phone",
        "task_role": "finance_officer",
        "fee": "0",
        "interest_mode": "none",
        "interest_rate": "0",
        "min_amount": "0",
        "language": "en",
        "subject": "Call",
        "body": "Dear {party_nmae}",
    }
    bad = client.post("/receivables/policies/1/levels", data=data)
    assert bad.status_code == 422
    assert "Unknown merge field" in bad.get_data(as_text=True)
    data["body"] = "Dear {party_name}, {items}"
    assert client.post("/receivables/policies/1/levels", data=data).status_code == 302
    page = client.get("/receivables/policies").get_data(as_text=True)
    assert "Courtesy call" in page


def test_opt_out_link_is_public_and_signed(app, client, db_session, make_party):
    from catalog.finance import services as finance
    from catalog.receivables.optout import opt_out_token

    party = make_party("Opting Member", kind="person", email="member@example.org")
    token = opt_out_token(app.config["SECRET_KEY"], party.id, "member@example.org")
    assert client.get(f"/receivables/opt-out/{token}").status_code == 200
    assert client.get(f"/receivables/opt-out/{token}x").status_code == 404
    assert client.post(f"/receivables/opt-out/{token}").status_code == 200
    account = finance.get_account(db_session, party)
    assert account.mail_recipients() == []


def test_reports_page_states_its_methods(auth, client, make_party, overdue, pay):
    auth.login("finance_manager")
    party = make_party("Reported")
    overdue(party, 10_000, days=40)
    pay(party, 2_500, on=TODAY - timedelta(days=1))
    page = client.get(f"/receivables/reports?as_of={TODAY}").get_data(as_text=True)
    assert "Count-back" in page
    assert "CEI" in page
    assert "At risk" in page


def test_dashboard_panel_for_collectors_only(auth, client):
    auth.login("finance_officer")
    assert "dunning run(s)" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login("registrar")
    assert "dunning run(s)" not in client.get("/").get_data(as_text=True)
