"""Forms for locations, targets and movements."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.core.forms import select_choices as _choices
from catalog.locations.models import LOCATION_KINDS
from catalog.locations.targets import PRESET_CHOICES

MOVE_REASONS = ["Storage", "Display", "Conservation", "Photography", "Loan", "Inventory",
                "Research", "Emergency", "Other"]
MOVE_METHODS = ["Hand carry", "Trolley", "Crate", "Pallet truck", "Vehicle", "Other"]


class LocationForm(FlaskForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=100)])
    name = StringField("Name", validators=[DataRequired(), Length(max=300)])
    kind = SelectField("Kind", choices=_choices([(k, k.title()) for k in LOCATION_KINDS]))
    is_container = BooleanField("Container (moves with its contents: box, crate, drawer)")
    capacity = IntegerField("Capacity (objects)", validators=[Optional(), NumberRange(min=0)])
    security_level = IntegerField("Security level (0 public – 5 highest)", default=0,
                                  validators=[NumberRange(min=0, max=5)])
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
    is_active = BooleanField("In use", default=True)


class TargetForm(FlaskForm):
    preset = SelectField("Target environment", choices=_choices(PRESET_CHOICES))
    temp_min = DecimalField("Lowest temperature (°C)", places=2, validators=[Optional()])
    temp_max = DecimalField("Highest temperature (°C)", places=2, validators=[Optional()])
    rh_min = DecimalField("Lowest RH (%)", places=1, validators=[Optional()])
    rh_max = DecimalField("Highest RH (%)", places=1, validators=[Optional()])
    rh_swing = DecimalField("Largest RH change in 24 hours (%)", places=1,
                            validators=[Optional()])


class MoveForm(FlaskForm):
    objects = TextAreaField("Object numbers (one per line or separated by commas)",
                            validators=[DataRequired()])
    location = StringField("To location (code)", validators=[DataRequired(), Length(max=100)])
    moved_at = DateTimeLocalField("When (leave empty for now)", format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    reason = SelectField("Reason", choices=_choices([(r, r) for r in MOVE_REASONS]))
    method = SelectField("Method", choices=_choices([(m, m) for m in MOVE_METHODS]))
    status = SelectField("Status", choices=_choices([("done", "Done"), ("planned", "Planned")]))
    sets_home = BooleanField("This is the objects' new home location")
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class ContainerMoveForm(FlaskForm):
    location = StringField("Into location (code)", validators=[DataRequired(), Length(max=100)])
    moved_at = DateTimeLocalField("When (leave empty for now)", format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    reason = SelectField("Reason", choices=_choices([(r, r) for r in MOVE_REASONS]))
    method = SelectField("Method", choices=_choices([(m, m) for m in MOVE_METHODS]))


class SelectionMoveForm(FlaskForm):
    location = StringField("To location (code)", validators=[DataRequired(), Length(max=100)])
    reason = SelectField("Reason", choices=_choices([(r, r) for r in MOVE_REASONS]))
    method = SelectField("Method", choices=_choices([(m, m) for m in MOVE_METHODS]))
    status = SelectField("Status", choices=_choices([("done", "Done"), ("planned", "Planned")]))


class WhereWasForm(FlaskForm):
    class Meta:
        csrf = False

    on = DateField("Where was it on", validators=[Optional()])


class SalvageForm(FlaskForm):
    salvage_priority = SelectField(
        "Salvage priority",
        choices=_choices([("", "Not assessed")] + [(str(i), str(i)) for i in range(1, 6)]))
