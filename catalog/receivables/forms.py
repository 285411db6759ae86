"""Forms of the collections pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.receivables.models import CHANNELS, DISPUTE_REASONS, INTEREST_MODES


class RunForm(FlaskForm):
    as_of = DateField("As of", validators=[DataRequired()])


class NoteForm(FlaskForm):
    kind = SelectField("Kind", choices={"call": "Phone call", "note": "Note"})
    text = TextAreaField("What happened", validators=[DataRequired(), Length(max=2000)])


class PromiseForm(FlaskForm):
    amount = StringField("Amount promised", validators=[DataRequired()])
    promised_on = DateField("By", validators=[DataRequired()])
    grace_days = IntegerField("Grace days", default=3, validators=[NumberRange(0, 60)])


class DisputeForm(FlaskForm):
    invoice_id = SelectField("Invoice", coerce=int)
    reason_code = SelectField("Reason", choices=dict(DISPUTE_REASONS))
    amount = StringField("Disputed amount (empty: all that is open)", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class ResolveForm(FlaskForm):
    resolution = TextAreaField("Resolution", validators=[DataRequired(), Length(max=2000)])


class PlanForm(FlaskForm):
    instalments = TextAreaField(
        "Instalments, one per line: date and amount (e.g. 2026-07-01 250.00)",
        validators=[DataRequired()],
    )
    default_after_missed = IntegerField(
        "Defaults after this many missed instalments", default=1, validators=[NumberRange(1, 12)]
    )
    grace_days = IntegerField(
        "Grace days per instalment", default=7, validators=[NumberRange(0, 60)]
    )
    on_default = SelectField(
        "On default",
        choices={"resume": "Resume dunning", "accelerate": "Accelerate to the last level"},
    )


class PauseForm(FlaskForm):
    until = DateField("Pause until", validators=[DataRequired()])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=300)])


class SettlementForm(FlaskForm):
    accept = StringField("Accept in full settlement", validators=[DataRequired()])
    expires_on = DateField("Offer open until", validators=[DataRequired()])
    note = TextAreaField("Note", validators=[Optional(), Length(max=2000)])


class PlacementForm(FlaskForm):
    agency_id = SelectField("Agency", coerce=int)
    commission = StringField("Commission %", default="25", validators=[DataRequired()])


class RecoveryForm(FlaskForm):
    amount = StringField("Amount recovered", validators=[DataRequired()])


class AssignForm(FlaskForm):
    collector_id = SelectField("Collector", coerce=int)
    policy_id = SelectField("Dunning policy", coerce=int)
    next_action = StringField("Next action", validators=[Optional(), Length(max=300)])
    next_action_on = DateField("Due", validators=[Optional()])


class LevelForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    days_after_due = IntegerField(
        "Days after due (negative: before)", validators=[NumberRange(-60, 730)]
    )
    channel = SelectField("Channel", choices=dict(CHANNELS))
    task_role = StringField("Role to call (phone)", validators=[Optional(), Length(max=64)])
    fee = StringField("Fee", default="0")
    interest_mode = SelectField("Interest", choices=dict(INTEREST_MODES))
    interest_rate = StringField("Annual interest rate %", default="0")
    min_amount = StringField("Minimum overdue amount", default="0")
    language = StringField("Template language", default="en", validators=[Length(min=2, max=8)])
    subject = StringField("Subject", validators=[DataRequired(), Length(max=300)])
    body = TextAreaField(
        "Body (merge fields: {party_name} {items} {total_overdue} {fee} "
        "{interest} {as_of} {museum_name} {level_name} {opt_out_url})",
        validators=[DataRequired()],
    )
