"""Forms of the scanning pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional


class LegacyBarcodeForm(FlaskForm):
    barcode = StringField("Old barcode", validators=[DataRequired(), Length(max=200)],
                          description="Scan the old label into this box, or type it.")
    target = StringField("Belongs to", validators=[DataRequired(), Length(max=300)],
                         description="Object number, location code or the record's new label.")
    note = StringField("Note", validators=[Optional(), Length(max=300)])
