"""Vocabulary forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class TermForm(FlaskForm):
    term = StringField("Term", validators=[DataRequired(), Length(max=200)])
    external_uri = StringField("External URI (e.g. Getty AAT)",
                               validators=[Optional(), Length(max=500)])
    scope_note = TextAreaField("Scope note", validators=[Optional()])
    is_active = BooleanField("Offered in forms", default=True)
