"""Imports of object spreadsheets: one row per file checked or imported."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalog.core.db import Base, UTCDateTime, utcnow

#: status code -> label
IMPORT_STATUSES = {
    "checked": "Checked (dry run)",
    "running": "Importing",
    "committed": "Imported",
    "failed": "Failed",
    "rolled_back": "Rolled back",
}


class ObjectImport(Base):
    """A spreadsheet of objects: its dry-run report and, once committed, what it created.

    Not ``Audited`` through the ORM listener: the import writes its own summary audit rows
    (action ``import`` and ``rollback``), because its objects are inserted with Core and the
    listener never sees them.
    """

    __tablename__ = "imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_name: Mapped[str] = mapped_column(sa.String(300))
    #: csv or xlsx
    file_format: Mapped[str] = mapped_column(sa.String(8))
    status: Mapped[str] = mapped_column(sa.String(16), default="checked", index=True)
    #: {column header: field}
    mapping: Mapped[dict[str, str]] = mapped_column(sa.JSON, default=dict)
    #: headers of the file that were not imported
    ignored_columns: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    total_rows: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    makers_created: Mapped[int] = mapped_column(default=0)
    error_count: Mapped[int] = mapped_column(default=0)
    warning_count: Mapped[int] = mapped_column(default=0)
    #: [{row, column, value, message, level}], the first PROBLEMS_KEPT of them
    problems: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    #: ids of the parties this import created (removed again on rollback when unused)
    party_ids: Mapped[list[int]] = mapped_column(sa.JSON, default=list)
    #: where the uploaded file is kept until it is imported
    stored_path: Mapped[str | None] = mapped_column(sa.String(500))
    #: rows per second of the commit, for the record
    rows_per_second: Mapped[int | None]
    message: Mapped[str | None] = mapped_column(sa.Text)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rolled_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    def __repr__(self) -> str:
        return f"<ObjectImport {self.id} {self.file_name!r} {self.status}>"
