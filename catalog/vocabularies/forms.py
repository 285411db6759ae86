"""Vocabulary forms."""

from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from catalog.objects.forms import CleanForm


class TermForm(CleanForm):
    term = StringField("Term", validators=[DataRequired(), Length(max=200)])
    external_uri = StringField("External URI (e.g. Getty AAT)",
                               validators=[Optional(), Length(max=500)])
    scope_note = TextAreaField("Scope note", validators=[Optional()])
    is_active = BooleanField("Offered in forms", default=True)
