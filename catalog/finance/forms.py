"""Finance forms. Amounts are typed as text and parsed into minor units with the currency."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from catalog.core.forms import select_choices as choices
from catalog.finance.models import ACCOUNT_KINDS, INVOICE_KINDS, PAYMENT_METHODS

_KINDS = choices((code, label) for code, (label, _, _) in INVOICE_KINDS.items())
_METHODS = choices(PAYMENT_METHODS.items())


class AccountForm(FlaskForm):
    kind = SelectField("Billed as", choices=choices(ACCOUNT_KINDS.items()))
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])
    payment_terms_days = IntegerField("Payment terms (days)", validators=[
        DataRequired(message="Give the payment terms in days."), NumberRange(0, 365)])
    time_zone = StringField("Time zone", validators=[DataRequired(), Length(max=64)])
    language = StringField("Language of letters", validators=[DataRequired(), Length(max=8)])
    credit_hold = BooleanField("Credit hold (no new invoices)")


class ContactForm(FlaskForm):
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    email = StringField("E-mail", validators=[DataRequired(), Email(), Length(max=320)])
    email_opt_out = BooleanField("Opted out of e-mail")


class InvoiceForm(FlaskForm):
    party_id = SelectField("Bill to", coerce=int)
    kind = SelectField("Kind", choices=_KINDS)
    currency = StringField("Currency (blank: the party's)", validators=[Optional(),
                                                                        Length(min=3, max=3)])
    source_id = IntegerField("Source record id (loan, object entry …)", validators=[Optional()])
    reference = StringField("Reference", validators=[Optional(), Length(max=200)])
    notes = TextAreaField("Notes", validators=[Optional()])


class LineForm(FlaskForm):
    description = StringField("Description", validators=[DataRequired(), Length(max=500)])
    quantity = StringField("Quantity", default="1", validators=[DataRequired()])
    unit_price = StringField("Unit price", validators=[DataRequired()])
    tax_rate = StringField("Tax rate %", default="0", validators=[Optional()])
    object_id = IntegerField("Object id", validators=[Optional()])


class CreditNoteForm(FlaskForm):
    amount = StringField("Amount (blank: everything left)", validators=[Optional()])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class WriteOffForm(FlaskForm):
    amount = StringField("Amount", validators=[DataRequired()])
    reason = StringField("Reason", validators=[DataRequired(), Length(max=500)])


class PaymentForm(FlaskForm):
    party_id = SelectField("Received from", coerce=int)
    amount = StringField("Amount", validators=[DataRequired()])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])
    received_on = DateField("Received on", validators=[DataRequired()])
    method = SelectField("Method", choices=_METHODS)
    reference = StringField("Reference", validators=[Optional(), Length(max=200)])
    mode = SelectField("Allocation", choices=choices([("oldest", "Oldest invoices first"),
                                                      ("manual", "As entered below")]))


class RefundForm(FlaskForm):
    amount = StringField("Amount", validators=[DataRequired()])
    currency = StringField("Currency", validators=[DataRequired(), Length(min=3, max=3)])
    method = SelectField("Method", choices=_METHODS)
    reference = StringField("Reference", validators=[Optional(), Length(max=200)])


class PledgeForm(FlaskForm):
    party_id = SelectField("Donor", coerce=int)
    total = StringField("Pledged amount", validators=[DataRequired()])
    currency = StringField("Currency", default="GBP", validators=[DataRequired(),
                                                                  Length(min=3, max=3)])
    purpose = StringField("Purpose", validators=[DataRequired(), Length(max=300)])
    pledged_on = DateField("Pledged on", validators=[DataRequired()])
    instalments = IntegerField("Instalments", default=1, validators=[
        DataRequired(), NumberRange(1, 120)])
    first_due = DateField("First instalment due", validators=[DataRequired()])
    every_months = IntegerField("Months between instalments", default=12, validators=[
        DataRequired(), NumberRange(1, 24)])


class BankImportForm(FlaskForm):
    file = FileField("Statement file (CSV, OFX or camt.053 XML)", validators=[FileRequired()])
    currency = StringField("Currency of CSV rows without one", default="GBP",
                           validators=[DataRequired(), Length(min=3, max=3)])


class ReassignForm(FlaskForm):
    invoice_number = StringField("Invoice number", validators=[DataRequired(), Length(max=40)])
