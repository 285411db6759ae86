"""Loan forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.core.forms import select_choices as choices

COVER_CHOICES = [("insurance", "Insurance"), ("indemnity", "Government indemnity"),
                 ("none", "No cover")]


class LoanForm(FlaskForm):
    direction = SelectField("Kind of loan", choices=choices([("out", "Loan out (we lend)"),
                                                             ("in", "Loan in (we borrow)")]))
    party_name = StringField("Borrower or lender", validators=[DataRequired(), Length(max=300)])
    exhibition_title = StringField("Exhibition", validators=[Optional(), Length(max=300)])
    purpose = StringField("Purpose", validators=[Optional(), Length(max=200)],
                          default="Exhibition")
    requested_on = DateField("Requested on", validators=[Optional()])
    start_date = DateField("Start of loan", validators=[DataRequired()])
    end_date = DateField("End of loan", validators=[DataRequired()])
    return_due = DateField("Objects due back by", validators=[Optional()])
    environment_conditions = TextAreaField("Environment", validators=[Optional()])
    display_conditions = TextAreaField("Display", validators=[Optional()])
    handling_conditions = TextAreaField("Handling", validators=[Optional()])
    courier_conditions = TextAreaField("Courier", validators=[Optional()])
    transport_conditions = TextAreaField("Transport", validators=[Optional()])
    cover_kind = SelectField("Cover", choices=choices(COVER_CHOICES))
    insurance_policy_id = SelectField("Policy", coerce=int, validate_choice=False,
                                      choices=choices([(0, "—")]))
    cover_note = TextAreaField("Cover note", validators=[Optional()])
    credit_line = TextAreaField("Credit line", validators=[Optional()])
    fee = DecimalField("Loan fee", places=2, validators=[Optional(), NumberRange(min=0)])
    fee_currency = StringField("Currency", default="GBP", validators=[Optional(), Length(3, 3)])
    notes = TextAreaField("Notes", validators=[Optional()])


class VenueForm(FlaskForm):
    name = StringField("Venue", validators=[DataRequired(), Length(max=300)])
    address = TextAreaField("Address", validators=[Optional()])
    start_date = DateField("Opens", validators=[Optional()])
    end_date = DateField("Closes", validators=[Optional()])
    temp_min = DecimalField("Temperature min (°C)", places=1, validators=[Optional()])
    temp_max = DecimalField("Temperature max (°C)", places=1, validators=[Optional()])
    rh_min = DecimalField("RH min (%)", places=1,
                          validators=[Optional(), NumberRange(min=0, max=100)])
    rh_max = DecimalField("RH max (%)", places=1,
                          validators=[Optional(), NumberRange(min=0, max=100)])
    lux_max = IntegerField("Light max (lux)", validators=[Optional(), NumberRange(min=0)])


class AddObjectForm(FlaskForm):
    object_number = StringField("Object number", validators=[DataRequired(), Length(max=100)])
    new_title = StringField("Title (for a new loan-in object)",
                            validators=[Optional(), Length(max=300)])
    insurance_value = DecimalField("Insurance value", places=2,
                                   validators=[Optional(), NumberRange(min=0)])
    insurance_currency = StringField("Currency", default="GBP",
                                     validators=[Optional(), Length(3, 3)])
    requirements = TextAreaField("Requirements for this object", validators=[Optional()])
    override = BooleanField("Add despite the conflicts")
    override_reason = StringField("Reason for the override", validators=[Optional(),
                                                                         Length(max=500)])


# The loan page shows several of these forms at once: the views give each a prefix so that
# field ids stay unique and every label points at its own field.


class StepForm(FlaskForm):
    on = DateField("Date", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional()])
    location_code = StringField("Location code", validators=[Optional(), Length(max=100)])


class ReturnForm(FlaskForm):
    on = DateField("Returned on", validators=[DataRequired()])
    location_code = StringField("Return to location (empty: each object's home)",
                                validators=[Optional(), Length(max=100)])
    note = StringField("Note", validators=[Optional(), Length(max=500)])


class ExtendForm(FlaskForm):
    end_date = DateField("New end date", validators=[DataRequired()])
    return_due = DateField("New return date", validators=[Optional()])
    note = StringField("Reason", validators=[Optional(), Length(max=500)])


class ValueForm(FlaskForm):
    insurance_value = DecimalField("Insurance value", places=2,
                                   validators=[Optional(), NumberRange(min=0)])
    insurance_currency = StringField("Currency", default="GBP",
                                     validators=[Optional(), Length(3, 3)])
