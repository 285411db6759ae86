"""Finance in a real browser: issue an invoice, record a payment against it."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def _party(live_server) -> tuple[int, str]:
    from catalog.parties.models import Party

    name = f"Whitworth {uuid.uuid4().hex[:6]}"
    with live_server.session() as session:
        party = Party(name=name, sort_name=name, kind="organisation",
                      email="accounts@whitworth.example")
        session.add(party)
        session.flush()
        return party.id, name


def test_issue_an_invoice_and_record_a_payment(live_server, tablet_page, signed_in, axe_check):
    page = tablet_page
    party_id, name = _party(live_server)
    signed_in(page, "finance_officer")
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Finance", exact=True).tap()
    page.get_by_role("link", name="New invoice").first.tap()
    page.get_by_label("Bill to").select_option(label=name)
    page.get_by_label("Kind").select_option(label="Reproduction and rights fee")
    page.get_by_label("Reference").fill("Image order 42")
    page.get_by_role("button", name="Start draft").tap()
    expect(page.get_by_text("add its lines")).to_be_visible()

    page.get_by_label("Description").fill("Photograph of N05123")
    page.get_by_label("Quantity").fill("2")
    page.get_by_label("Unit price").fill("45.50")
    page.get_by_label("Tax rate %").fill("20")
    page.get_by_role("button", name="Add line").tap()
    expect(page.get_by_text("Line added.")).to_be_visible()
    expect(page.locator("#invoice-total")).to_have_text("GBP 109.20")
    axe_check(page)

    page.get_by_role("button", name="Issue invoice").tap()
    expect(page.get_by_text(re.compile(r"Invoice INV-\d{6} issued"))).to_be_visible()
    number = page.get_by_role("heading", level=1).inner_text().split()[1]
    expect(page.get_by_text("Issued", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Issue invoice")).to_have_count(0)

    page.get_by_role("link", name="Record payment").first.tap()
    page.get_by_label("Amount", exact=True).fill("100.00")
    page.get_by_label("Reference").fill(f"BACS {number}")
    axe_check(page)
    page.get_by_role("button", name="Record payment").tap()
    expect(page.get_by_text("Payment of GBP 100.00 recorded.")).to_be_visible()
    page.get_by_role("link", name=number).tap()
    expect(page.locator("#invoice-open")).to_have_text("GBP 9.20")
    expect(page.get_by_text("Partly paid").first).to_be_visible()

    # more than is open, allocated by hand: refused, nothing recorded
    page.goto(f"{live_server.url}/finance/payments/new?party_id={party_id}")
    page.get_by_label("Amount", exact=True).fill("50.00")
    page.get_by_label("Allocation").select_option("manual")
    page.get_by_label(f"Allocate to {number}").fill("50.00")
    page.get_by_role("button", name="Record payment").tap()
    expect(page.get_by_text("is more than the GBP 9.20 open")).to_be_visible()
    page.goto(f"{live_server.url}/finance/parties/{party_id}")
    expect(page.locator('[data-balance="GBP"]')).to_have_text("GBP 9.20")
    axe_check(page)


def test_bank_statement_upload_and_review(live_server, tablet_page, signed_in, axe_check,
                                          tmp_path):
    from catalog.finance import services

    page = tablet_page
    party_id, name = _party(live_server)
    user = signed_in(page, "finance_officer")
    with live_server.session() as session:
        from catalog.parties.models import Party
        from catalog.users.models import User

        actor = session.get(User, user.id)
        invoice = services.create_invoice(session, party=session.get(Party, party_id),
                                          kind="other", actor=actor)
        services.add_line(session, invoice, description="Catalogues", quantity=1,
                          unit_price_minor=8_000, actor=actor)
        services.issue_invoice(session, invoice, actor=actor)
        number, invoice_id = invoice.number, invoice.id
    statement = tmp_path / "june.csv"
    statement.write_text("date,amount,currency,reference,counterparty,id\n"
                         f"2026-06-02,50.00,GBP,Part payment {number},{name},"
                         f"B-{uuid.uuid4().hex[:8]}\n")
    page.goto(f"{live_server.url}/finance/bank")
    page.get_by_label("Statement file").set_input_files(str(statement))
    page.get_by_role("button", name="Import").tap()
    expect(page.get_by_text("Imported 1 transaction(s) (1 unsure)")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=f"Part payment {number}")
    expect(row.get_by_text("amount differs")).to_be_visible()
    axe_check(page)
    row.get_by_role("button", name="Confirm").tap()
    expect(page.get_by_text("Transaction confirmed and posted.")).to_be_visible()
    page.goto(f"{live_server.url}/finance/invoices/{invoice_id}")
    expect(page.locator("#invoice-open")).to_have_text("GBP 30.00")

    # the same file again: refused, nothing posted twice
    page.goto(f"{live_server.url}/finance/bank")
    page.get_by_label("Statement file").set_input_files(str(statement))
    page.get_by_role("button", name="Import").tap()
    expect(page.get_by_text("This file was already imported")).to_be_visible()
    page.goto(f"{live_server.url}/finance/invoices/{invoice_id}")
    expect(page.locator("#invoice-open")).to_have_text("GBP 30.00")
