"""The shell in a real browser: signing in on a tablet, the menu, accessibility of main pages."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"


def _screenshot(page, name: str) -> None:
    """Refresh the README screenshots with CATALOG_SCREENSHOTS=1."""
    if os.environ.get("CATALOG_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def test_login_and_dashboard_on_a_tablet(live_server, tablet_page):
    page = tablet_page
    user = live_server.create_user("registrar", name="Rhiannon Registrar")
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/login")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    _screenshot(page, "login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(user.password)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").tap()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_text("Welcome, Rhiannon Registrar.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_visible()  # wide enough for the full menu
    _screenshot(page, "dashboard")
    remembered = [c for c in page.context.cookies() if c["name"] == "remember_token"]
    assert remembered
    assert remembered[0]["expires"] > 0

    # Portrait: the menu folds behind a button that opens and closes it.
    page.set_viewport_size({"width": 768, "height": 1024})
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_be_visible()
    expect(nav).to_be_hidden()
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.tap()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Dashboard").tap()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="Menu").tap()
    page.get_by_role("button", name="Sign out").tap()
    page.wait_for_url(f"{live_server.url}/login")
    expect(page.get_by_text("You are signed out.")).to_be_visible()


def test_wrong_password_says_so_without_saying_which_part(live_server, tablet_page):
    page = tablet_page
    user = live_server.create_user("viewer")
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The e-mail address or password is not right.")
    assert page.url.startswith(f"{live_server.url}/login")


def test_admin_creates_a_user_in_the_browser(live_server, desktop_page, signed_in):
    page = desktop_page
    signed_in(page, "admin")
    page.get_by_role("link", name="Users", exact=True).click()
    page.get_by_role("link", name="New user", exact=True).click()
    email = f"browser-made-{os.getpid()}@example.org"
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Name").fill("Made In Browser")
    page.get_by_label("Conservator").check()
    page.get_by_label("Password (new users; at least 10 characters)").fill("long-password-12")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"User {email} created.")).to_be_visible()
    expect(page.get_by_role("cell", name=email)).to_be_visible()


@pytest.mark.parametrize("path", ["/login", "/", "/profile", "/admin/users", "/admin/audit",
                                  "/admin/roles", "/admin/users/new"])
def test_main_pages_have_no_serious_accessibility_violations(live_server, tablet_page,
                                                             signed_in, axe_check, path):
    page = tablet_page
    if path != "/login":
        signed_in(page, "admin")
    page.goto(f"{live_server.url}{path}")
    axe_check(page)


@pytest.mark.parametrize("path", ["/admin/roles", "/admin/audit", "/admin/users"])
def test_wide_tables_stay_accessible_on_a_portrait_tablet(live_server, tablet_page, signed_in,
                                                          axe_check, path):
    page = tablet_page
    page.set_viewport_size({"width": 600, "height": 960})
    signed_in(page, "admin")
    page.goto(f"{live_server.url}{path}")
    axe_check(page)


def test_form_errors_are_accessible(live_server, tablet_page, signed_in, axe_check):
    page = tablet_page
    signed_in(page, "admin")
    page.goto(f"{live_server.url}/admin/users/new")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe_check(page)


def test_a_stale_form_says_it_expired_and_saves_nothing(live_server, desktop_page, signed_in):
    page = desktop_page
    signed_in(page, "admin")
    page.goto(f"{live_server.url}/admin/users/new")
    email = f"never-saved-{os.getpid()}@example.org"
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Viewer").check()
    page.get_by_label("Password (new users; at least 10 characters)").fill("long-password-12")
    # What a page left open overnight sends: a token the server no longer accepts.
    page.evaluate("document.querySelector('#main form input[name=csrf_token]').value = 'stale'")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Form expired")).to_be_visible()
    expect(page.get_by_text("nothing was saved")).to_be_visible()
    page.goto(f"{live_server.url}/admin/users")
    expect(page.get_by_role("heading", name="Users")).to_be_visible()
    expect(page.get_by_text(email)).to_have_count(0)
