"""Browser-test harness: a live Catalog server per database and Chromium driven by Playwright.

Fixtures (use them from ``tests/browser/test_<domain>.py``; mark tests ``@pytest.mark.browser``):

``live_server``
    Session-scoped, once per backend (SQLite, and PostgreSQL when TEST_DATABASE_URL is set):
    a fresh database made by the real migrations, served by werkzeug on ``127.0.0.1`` (random port)
    in a thread, with CSRF ENABLED as in production. Attributes: ``url`` (no trailing slash),
    ``app`` (the served app), ``backend``, ``create_user(role, email=None, password=..., **kw)``
    (commits; returns a :class:`CreatedUser` with ``email``, ``password``, ``id``),
    and ``session()`` — a context manager giving a committed SQLAlchemy session on the server's
    database for setting up records (``with live_server.session() as s: ...``; commits at the end).
    Records are NOT removed between tests: use unique codes/e-mails.
    Do not combine with the ``db_session``/``client`` fixtures in the same test.

``browser``
    Session-scoped Chromium (Debian's ``/usr/bin/chromium``). Missing Playwright or Chromium
    skips browser tests on a developer machine and FAILS them when ``CI=true``.

``tablet_page`` (1024×768, touch) / ``page`` (the same) / ``desktop_page`` (1366×900)
    A fresh browser context and page per test. Every page records console errors; a test fails
    at teardown when the page logged a Content-Security-Policy violation or an uncaught script
    error (so inline scripts and broken JS are caught everywhere).
    ``page.goto(live_server.url + "/path")`` to visit. After a click, assert with Playwright's
    ``expect(locator).to_be_visible()`` (it waits for the next page), not ``locator.is_visible()``.

``signed_in``
    ``user = signed_in(page, "registrar")`` creates a user with that role in the live server's
    database and signs in through the login form; the page is then on the dashboard.

``axe_check``
    ``axe_check(page)`` runs axe-core (vendored in ``tests/browser/vendor``) on the current page
    and fails on any 'serious' or 'critical' violation, listing them.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import drop_pg_database, make_database_url, test_config

VENDOR = Path(__file__).parent / "vendor"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
BROWSER_PASSWORD = "browser-test-password"
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "is_mobile": False}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Everything in this folder drives a browser, whether or not the author marked it.
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@dataclass
class CreatedUser:
    id: int
    email: str
    password: str
    role: str


class LiveServer:
    def __init__(self, app: Any, url: str, backend: str) -> None:
        self.app = app
        self.url = url
        self.backend = backend

    @contextmanager
    def session(self) -> Iterator[Any]:
        """A session on the server's database that commits at the end of the block."""
        from catalog.extensions import db

        with self.app.app_context():
            try:
                yield db.session
                db.session.commit()
            finally:
                db.session.remove()

    def create_user(self, role: str = "registrar", email: str | None = None,
                    password: str = BROWSER_PASSWORD, **kw: Any) -> CreatedUser:
        from catalog.users.services import create_user

        email = email or f"{role.replace('_', '-')}-{uuid.uuid4().hex[:8]}@example.org"
        with self.session() as session:
            user = create_user(session, email=email, password=password, role_codes=[role], **kw)
            return CreatedUser(id=user.id, email=user.email, password=password, role=role)


@pytest.fixture(scope="session")
def live_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from werkzeug.serving import make_server

    from catalog import create_app
    from catalog.core.migrations import upgrade
    from catalog.extensions import db

    tmp = tmp_path_factory.mktemp(f"live-{backend}")
    url = make_database_url(backend, tmp)
    app = create_app(test_config(url, tmp, WTF_CSRF_ENABLED=True, TESTING=False))
    with app.app_context():
        upgrade()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}", backend)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if backend == "postgresql":
            drop_pg_database(url)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[test]')")
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Any, options: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(**options)
    # Generous: the CI machine may be busy; a passing test does not wait for it.
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"uncaught: {exc}"))
    try:
        yield page
    finally:
        context.close()
    serious = [p for p in problems if "Content Security Policy" in p or p.startswith("uncaught")]
    assert serious == [], f"the page logged errors: {serious}"


@pytest.fixture
def tablet_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, TABLET)


@pytest.fixture
def page(tablet_page: Any) -> Any:
    return tablet_page


@pytest.fixture
def desktop_page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, DESKTOP)


@pytest.fixture
def signed_in(live_server: LiveServer) -> Callable[..., CreatedUser]:
    def sign_in(page: Any, role: str = "registrar", **kw: Any) -> CreatedUser:
        user = live_server.create_user(role, **kw)
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(user.password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return user

    return sign_in


@pytest.fixture(scope="session")
def axe_source() -> str:
    return (VENDOR / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def axe_check(axe_source: str) -> Callable[[Any], list[dict[str, Any]]]:
    def check(page: Any) -> list[dict[str, Any]]:
        # Evaluated through the DevTools protocol, which the page's CSP does not govern.
        page.evaluate(axe_source)
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }""")
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{page.url}: " + json.dumps(serious, indent=1)
        return result

    return check
