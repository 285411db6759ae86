"""Forms for sensors, imports, manual readings and alerts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from catalog.core.forms import select_choices as _choices
from catalog.environment.models import SENSOR_KINDS


class SensorForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=60)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    kind = SelectField("Make", choices=_choices(list(SENSOR_KINDS.items())))
    serial_number = StringField("Serial number", validators=[Optional(), Length(max=100)])
    location = StringField("Location (code)", validators=[Optional(), Length(max=100)])
    timezone = StringField("Time zone of the logger's clock", default="Europe/London",
                           validators=[DataRequired(), Length(max=60)])
    is_active = BooleanField("In use", default=True)
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])


class ImportForm(FlaskForm):
    file = FileField("Logger export (CSV)", validators=[FileRequired()])
    timezone = StringField("Time zone of the times in the file (empty: the sensor's)",
                           validators=[Optional(), Length(max=60)])


class ManualReadingForm(FlaskForm):
    taken_at = DateTimeLocalField("When", format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    temperature = DecimalField("Temperature (°C)", places=2, validators=[Optional()])
    humidity = DecimalField("Relative humidity (%)", places=1, validators=[Optional()])


class AlertNoteForm(FlaskForm):
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])
