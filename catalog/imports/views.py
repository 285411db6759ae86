"""Upload page, dry-run report, commit with progress, rollback."""

from __future__ import annotations

import csv
import io
import threading
import uuid
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from catalog.core.errors import DomainError
from catalog.core.forms import EmptyForm, render_invalid, show_domain_error
from catalog.core.permissions import require
from catalog.core.web import after_commit
from catalog.extensions import db
from catalog.imports import services
from catalog.imports.exporting import protect_cell
from catalog.imports.models import IMPORT_STATUSES, ObjectImport

bp = Blueprint("imports", __name__, url_prefix="/imports")

#: import id -> (rows done, rows total) of imports running in this process
PROGRESS: dict[int, tuple[int, int]] = {}


class UploadForm(FlaskForm):
    file = FileField("Spreadsheet (.csv, .csv.gz or .xlsx)", validators=[FileRequired()])


def _upload_dir() -> Path:
    folder = Path(current_app.config.get("MEDIA_DIR") or current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@bp.route("/", methods=["GET", "POST"])
@require("objects.import")
def index() -> Any:
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(upload.filename or "upload.csv").name
        try:
            services.file_format(name)
            path = _upload_dir() / f"{uuid.uuid4().hex}-{name[-60:]}"
            upload.save(path)
            record, _ = services.check_file(db.session, path=path, file_name=name,
                                            user=current_user)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            return redirect(url_for("imports.show", import_id=record.id))
        imports = db.session.scalars(sa.select(ObjectImport).order_by(ObjectImport.id.desc())
                                     .limit(50)).all()
        return render_invalid("imports/index.html", form=form, imports=imports,
                              statuses=IMPORT_STATUSES)
    imports = db.session.scalars(sa.select(ObjectImport).order_by(ObjectImport.id.desc())
                                 .limit(50)).all()
    return render_template("imports/index.html", form=form, imports=imports,
                           statuses=IMPORT_STATUSES)


@bp.route("/<int:import_id>")
@require("objects.import")
def show(import_id: int) -> Any:
    record = services.get_import(db.session, import_id)
    return render_template("imports/show.html", record=record, statuses=IMPORT_STATUSES,
                           fields=services.FIELDS, form=EmptyForm(),
                           progress=PROGRESS.get(import_id))


@bp.route("/<int:import_id>/mapping", methods=["POST"])
@require("objects.import")
def remap(import_id: int) -> Any:
    """Check the same file again with the columns read as the user chose."""
    record = services.get_import(db.session, import_id)
    if record.status != "checked" or not record.stored_path:
        flash("Only a checked, not yet imported file can be mapped again.", "error")
        return redirect(url_for("imports.show", import_id=import_id))
    headers = list(record.mapping) + list(record.ignored_columns)
    mapping = {h: request.form.get(f"map-{i}", "-") or "-" for i, h in enumerate(headers)}
    try:
        services.recheck(db.session, record=record, mapping=mapping, user=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("imports.show", import_id=import_id)), 303
    flash("Checked again with your column mapping.", "success")
    return redirect(url_for("imports.show", import_id=import_id))


def _run_in_background(app: Any, import_id: int, user_id: int | None) -> None:
    """Import a large file outside the request; the page polls :func:`status`."""
    from catalog.core.audit import acting_as
    from catalog.users.models import User

    with app.app_context():
        session = db.session
        try:
            user = session.get(User, user_id) if user_id else None
            record = session.get(ObjectImport, import_id)
            with acting_as(user):
                services.run_import(
                    session, record=record, path=Path(record.stored_path or ""), user=user,
                    progress=lambda done, total: PROGRESS.__setitem__(import_id, (done, total)))
            session.commit()
        except Exception as exc:
            session.rollback()
            record = session.get(ObjectImport, import_id)
            if record is not None:
                record.status = "failed"
                record.message = getattr(exc, "message", None) or "The import failed; nothing " \
                    "was imported."
                session.commit()
            current_app.logger.exception("import %s failed", import_id)
        finally:
            PROGRESS.pop(import_id, None)
            session.remove()


@bp.route("/<int:import_id>/commit", methods=["POST"])
@require("objects.import")
def commit(import_id: int) -> Any:
    form = EmptyForm()
    record = services.get_import(db.session, import_id)
    if not form.validate_on_submit():
        return redirect(url_for("imports.show", import_id=import_id))
    if record.status != "checked" or record.error_count or not record.stored_path:
        flash("This file cannot be imported: check it first and fix every error.", "error")
        return redirect(url_for("imports.show", import_id=import_id)), 303
    if record.total_rows <= current_app.config["IMPORT_INLINE_ROWS"]:
        try:
            services.run_import(db.session, record=record, path=Path(record.stored_path),
                                user=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("imports.show", import_id=import_id)), 303
        if record.status == "committed":
            flash(record.message or "Imported.", "success")
        else:
            flash(record.message or "Nothing was imported.", "error")
        return redirect(url_for("imports.show", import_id=import_id))
    record.status = "running"
    PROGRESS[import_id] = (0, record.total_rows)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    user_id = current_user.id
    after_commit(lambda: threading.Thread(target=_run_in_background,
                                          args=(app, import_id, user_id), daemon=True).start())
    flash("Importing… this page shows the progress.", "success")
    return redirect(url_for("imports.show", import_id=import_id))


@bp.route("/<int:import_id>/status")
@require("objects.import")
def status(import_id: int) -> Any:
    record = services.get_import(db.session, import_id)
    done, total = PROGRESS.get(import_id, (record.created_count, record.total_rows))
    return jsonify({"id": record.id, "status": record.status,
                    "label": IMPORT_STATUSES.get(record.status, record.status),
                    "done": done, "total": total, "message": record.message})


@bp.route("/<int:import_id>/rollback", methods=["POST"])
@require("objects.import")
def rollback(import_id: int) -> Any:
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            from catalog.core.audit import reason

            with reason(f"rollback of import {import_id}"):
                record = services.rollback_import(db.session, import_id=import_id,
                                                  user=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
            return redirect(url_for("imports.show", import_id=import_id)), 303
        flash(record.message or "Rolled back.", "success")
    return redirect(url_for("imports.show", import_id=import_id))


@bp.route("/<int:import_id>/problems.csv")
@require("objects.import")
def problems_csv(import_id: int) -> Any:
    record = services.get_import(db.session, import_id)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "column", "value", "level", "message"])
    for p in record.problems:
        writer.writerow([p["row"], protect_cell(p["column"]), protect_cell(p["value"]),
                         p["level"], p["message"]])
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="import-{import_id}-problems.csv"'})
