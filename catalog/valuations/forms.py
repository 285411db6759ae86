"""Valuation and insurance policy forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.loans.forms import choices


class ValuationForm(FlaskForm):
    object_number = StringField("Object number", validators=[DataRequired(), Length(max=100)])
    valued_on = DateField("Valued on", validators=[DataRequired()])
    valuer_name = StringField("Valuer", validators=[Optional(), Length(max=300)])
    amount = DecimalField("Amount", places=2, validators=[DataRequired(), NumberRange(min=0)])
    currency = StringField("Currency", default="GBP", validators=[DataRequired(), Length(3, 3)])
    purpose = StringField("Purpose", default="Insurance", validators=[Optional(),
                                                                      Length(max=100)])
    note = TextAreaField("Note", validators=[Optional()])


class PolicyForm(FlaskForm):
    kind = SelectField("Kind", choices=choices([("insurance", "Insurance"),
                                                ("indemnity", "Government indemnity")]))
    insurer_name = StringField("Insurer", validators=[Optional(), Length(max=300)])
    policy_number = StringField("Policy number", validators=[DataRequired(), Length(max=100)])
    cover_start = DateField("Cover from", validators=[DataRequired()])
    cover_end = DateField("Cover until", validators=[DataRequired()])
    limit = DecimalField("Limit", places=2, validators=[DataRequired(), NumberRange(min=0)])
    currency = StringField("Currency", default="GBP", validators=[DataRequired(), Length(3, 3)])
    note = TextAreaField("Note", validators=[Optional()])
