"""Mail: queued in the business transaction, delivered by ``catalog outbox send`` over SMTP."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from catalog.core.db import utcnow
from catalog.core.outbox import Attachment, OutboxMessage, enqueue_mail, send_pending
from catalog.extensions import db
from tests.conftest import REPO


def _send(app: Any) -> Any:
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result


def test_outbox_send_delivers_over_smtp(app, db_session, smtp_server, monkeypatch):
    monkeypatch.setitem(app.config, "SMTP_URL", smtp_server.url)
    enqueue_mail(db_session, to="donor@example.org", subject="Thank you for your gift",
                 body_text="Dear donor,\nthank you.", body_html="<p>Dear donor, thank you.</p>",
                 attachments=(Attachment("letter.pdf", "application/pdf", b"%PDF-1.4 demo"),),
                 headers={"List-Unsubscribe": "<mailto:unsubscribe@example.org>"})
    enqueue_mail(db_session, to="lender@example.org", subject="Loan agreement", body_text="Hi")
    db_session.commit()

    assert "2 message(s) sent." in _send(app).output
    assert sorted(smtp_server.subjects) == ["Loan agreement", "Thank you for your gift"]
    gift = next(m for m in smtp_server.messages if m["To"] == "donor@example.org")
    assert gift["From"] == app.config["MAIL_FROM"]
    assert gift["List-Unsubscribe"] == "<mailto:unsubscribe@example.org>"
    attachment = next(gift.iter_attachments())
    assert attachment.get_filename() == "letter.pdf"
    assert attachment.get_content() == b"%PDF-1.4 demo"

    rows = list(db_session.scalars(sa.select(OutboxMessage)))
    assert {r.status for r in rows} == {"sent"}
    assert all(r.sent_at is not None and r.message_id for r in rows)
    assert "0 message(s) sent." in _send(app).output
    assert len(smtp_server.messages) == 2


def test_failed_delivery_stays_pending_with_the_error_and_backs_off(app, db_session,
                                                                    smtp_server, monkeypatch):
    from tests.conftest import free_port

    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")  # nobody there
    message = enqueue_mail(db_session, to="a@example.org", subject="Reminder", body_text="x")
    db_session.commit()

    assert "0 message(s) sent." in _send(app).output
    db_session.refresh(message)
    assert message.status == "pending"
    assert message.attempts == 1
    assert message.last_error
    assert message.send_after > utcnow()

    _send(app)  # too early: the message waits for its back-off
    db_session.refresh(message)
    assert message.attempts == 1

    monkeypatch.setitem(app.config, "SMTP_URL", smtp_server.url)
    message.send_after = utcnow() - timedelta(seconds=1)
    db_session.commit()
    assert "1 message(s) sent." in _send(app).output
    db_session.refresh(message)
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, None)


def test_a_message_that_keeps_failing_is_given_up(app, db_session, monkeypatch):
    from catalog.core import outbox
    from tests.conftest import free_port

    monkeypatch.setitem(app.config, "SMTP_URL", f"smtp://127.0.0.1:{free_port()}")
    message = enqueue_mail(db_session, to="a@example.org", subject="Doomed", body_text="x")
    message.attempts = outbox.MAX_ATTEMPTS - 1
    db_session.commit()
    _send(app)
    db_session.refresh(message)
    assert message.status == "failed"


def test_dedupe_key_refuses_a_second_message(db_session):
    enqueue_mail(db_session, to="a@example.org", subject="Once", body_text="x",
                 dedupe_key="dunning:42:1")
    db_session.flush()
    enqueue_mail(db_session, to="a@example.org", subject="Twice", body_text="x",
                 dedupe_key="dunning:42:1")
    with pytest.raises(sa.exc.IntegrityError):
        db_session.flush()


def test_unit_of_work_mail_and_side_effects_only_after_commit(app, db_session, tmp_path):
    """A request that fails leaves neither its mail nor its after-commit effects behind."""
    from flask import request

    from catalog import create_app
    from catalog.core.errors import ValidationError
    from catalog.core.permissions import public
    from catalog.core.web import after_commit
    from tests.conftest import test_config

    effects: list[str] = []
    test_app = create_app(test_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path))

    def enqueue() -> Any:
        enqueue_mail(db.session, to="a@example.org", subject=request.form["subject"],
                     body_text="x")
        db.session.flush()
        after_commit(lambda: effects.append(request.form["subject"]))
        if request.form.get("refuse"):
            raise ValidationError("Refused after queuing the mail.")
        return "queued", 201

    test_app.add_url_rule("/test-only/enqueue", "enqueue", public(enqueue), methods=["POST"])
    browser = test_app.test_client()
    refused = browser.post("/test-only/enqueue", data={"subject": "Refused", "refuse": "y"})
    assert refused.status_code == 422
    accepted = browser.post("/test-only/enqueue", data={"subject": "Accepted"})
    assert accepted.status_code == 201
    subjects = list(db_session.scalars(sa.select(OutboxMessage.subject)))
    assert subjects == ["Accepted"]
    assert effects == ["Accepted"]


@pytest.mark.slow
def test_outbox_send_as_a_real_process(app, committed_db, smtp_server, tmp_path):
    enqueue_mail(committed_db, to="a@example.org", subject="From a subprocess", body_text="x")
    committed_db.commit()
    committed_db.close()
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "SMTP_URL": smtp_server.url, "SECRET_KEY": "x", "CATALOG_INSTANCE_PATH": str(tmp_path),
           "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-m", "catalog.cli", "outbox", "send"], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert "1 message(s) sent." in result.stdout
    assert smtp_server.subjects == ["From a subprocess"]


def test_two_concurrent_senders_never_send_a_message_twice(app, backend, committed_db,
                                                           smtp_server):
    """PostgreSQL: SKIP LOCKED lets both work side by side. SQLite: writers take turns."""
    for n in range(30):
        enqueue_mail(committed_db, to=f"r{n}@example.org", subject=f"Message {n}", body_text="x")
    committed_db.commit()
    smtp_server.delay = 0.01
    counts: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def sender() -> None:
        try:
            with app.app_context():
                start.wait()
                counts.append(send_pending(db.session, smtp_url=smtp_server.url,
                                           sender="museum@example.org", batch=3))
                db.session.remove()
        except BaseException as exc:  # reported in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(smtp_server.subjects) == sorted(f"Message {n}" for n in range(30))
    assert sum(counts) == 30
    if backend == "postgresql":
        assert all(count > 0 for count in counts), f"one sender did all the work: {counts}"
