"""Party forms."""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from catalog.objects.forms import CleanForm
from catalog.parties.models import PARTY_ROLES
from catalog.parties.services import PARTY_KINDS


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PartyForm(CleanForm):
    kind = SelectField("Kind", choices=PARTY_KINDS)
    name = StringField("Name", validators=[DataRequired(), Length(max=300)])
    sort_name = StringField("Sort name (e.g. Turner, Joseph Mallord William; made from the name "
                            "when empty)", validators=[Optional(), Length(max=300)])
    dates = StringField("Dates (life or activity)", validators=[Optional(), Length(max=100)])
    nationality = StringField("Nationality", validators=[Optional(), Length(max=100)])
    country = StringField("Country (two letters)", validators=[Optional(), Length(max=2)])
    roles = MultiCheckboxField("Roles", choices=PARTY_ROLES)
    email = StringField("E-mail", validators=[Optional(), Length(max=320)])
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])
    address = TextAreaField("Address", validators=[Optional()])
    authority_uri = StringField("Authority URI (ULAN, VIAF, Wikidata)",
                                validators=[Optional(), Length(max=500)])
    notes = TextAreaField("Notes", validators=[Optional()])


class MergeForm(CleanForm):
    duplicate_id = SelectField("Duplicate record to merge into this one", coerce=int,
                               validators=[DataRequired()])
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])
