"""Inventory forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class StartInventoryForm(FlaskForm):
    location = StringField("Location", validators=[DataRequired(), Length(max=300)],
                           description="Location code, or scan its label into this box.")
    include_sublocations = BooleanField("Include everything inside it (shelves, boxes …)",
                                        default=True)
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class FinishInventoryForm(FlaskForm):
    correct_locations = BooleanField(
        "Correct the records: move unexpected and misplaced objects to where they were found",
        default=False)


class ScheduleForm(FlaskForm):
    location = StringField("Location", validators=[DataRequired(), Length(max=300)])
    interval_days = IntegerField("Inventory every (days)",
                                 validators=[Optional(), NumberRange(1, 3650)],
                                 description="Leave empty for no regular inventory.")
