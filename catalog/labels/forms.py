"""The label printing form (a GET form: printing reads, it changes nothing)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional

from catalog.labels.layouts import DEFAULT_LAYOUT, LAYOUTS


class LabelForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only reads

    kind = RadioField("Labels for", choices=[SelectChoice("objects", "Objects"),
                               SelectChoice("locations", "Locations")],
                      default="objects")
    identifiers = TextAreaField(
        "Numbers or codes", validators=[Optional()],
        description="One per line (or separated by commas): object numbers, location codes, "
                    "scan codes or old barcodes. You can also scan them into this box.")
    q = StringField("Or everything matching", validators=[Optional()])
    ids = StringField("Selected record ids", validators=[Optional()])
    layout = SelectField("Label stock",
                         choices=[SelectChoice(k, v.title) for k, v in LAYOUTS.items()],
                         default=DEFAULT_LAYOUT)
    start = IntegerField("Start at label", default=1, validators=[Optional(), NumberRange(1, 80)])
    copies = IntegerField("Copies of each", default=1,
                          validators=[Optional(), NumberRange(1, 100)])
