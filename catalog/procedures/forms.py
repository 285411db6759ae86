"""Procedure forms."""

from __future__ import annotations

from wtforms import (
    DateField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from catalog.objects.forms import CleanForm
from catalog.procedures.models import ACQUISITION_METHODS, DISPOSAL_METHODS, ENTRY_REASONS
from catalog.procedures.services import CURRENCIES

PARTY_LIST = {"list": "party-names", "autocomplete": "off"}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ReceivedRow(Form):
    object_name = StringField("Object name", validators=[Optional(), Length(max=200)],
                              render_kw={"list": "vocab-object_name"})
    brief_description = StringField("Brief description", validators=[Optional()])
    number_of_objects = IntegerField("Count", default=1,
                                     validators=[Optional(), NumberRange(1, 100_000)])


class EntryForm(CleanForm):
    depositor = StringField("Depositor", validators=[Optional(), Length(max=300)],
                            render_kw=PARTY_LIST)
    reason = SelectField("Reason", choices=ENTRY_REASONS)
    entry_date = DateField("Entry date", validators=[DataRequired()])
    return_date = DateField("Return or decision due by", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional()])
    objects = FieldList(FormField(ReceivedRow), min_entries=3)


class AcquisitionForm(CleanForm):
    method = SelectField("Method", choices=ACQUISITION_METHODS)
    acquisition_date = DateField("Acquisition date", validators=[DataRequired()])
    source = StringField("Source (donor, vendor, estate …)", validators=[Optional(),
                                                                         Length(max=300)],
                         render_kw=PARTY_LIST)
    funding = StringField("Funding", validators=[Optional(), Length(max=2000)])
    price = StringField("Price", validators=[Optional(), Length(max=30)],
                        render_kw={"inputmode": "decimal"})
    price_currency = SelectField("Currency", choices={c: c for c in CURRENCIES})
    credit_line = StringField("Credit line", validators=[Optional(), Length(max=2000)])
    title_transferred_on = DateField("Transfer of title signed on", validators=[Optional()])
    authoriser = StringField("Authorised by", validators=[Optional(), Length(max=200)])
    authorised_on = DateField("Authorised on", validators=[Optional()])
    lot = IntegerField("Add to accession lot (empty: a new lot)",
                       validators=[Optional(), NumberRange(min=1)])
    note = TextAreaField("Note", validators=[Optional()])
    objects = MultiCheckboxField("Objects to accession", coerce=int,
                                 validators=[DataRequired("Choose at least one object.")])


class DeaccessionForm(CleanForm):
    object_numbers = TextAreaField("Object numbers (one per line)", validators=[DataRequired()])
    reason = TextAreaField("Reason", validators=[DataRequired()])
    authorised_by = StringField("Authorised by (body or person, minute reference)",
                                validators=[DataRequired(), Length(max=200)])
    authorised_on = DateField("Authorised on", validators=[DataRequired()])
    disposal_method = SelectField("Disposal method", choices=DISPOSAL_METHODS)
    recipient = StringField("Recipient", validators=[Optional(), Length(max=300)],
                            render_kw=PARTY_LIST)
    disposal_date = DateField("Disposal date", validators=[Optional()])
    note = TextAreaField("Note", validators=[Optional()])
