"""Object record forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields import FieldList
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.objects.models import DIMENSION_TYPES, LENGTH_UNITS, OBJECT_STATUSES, WEIGHT_UNITS
from catalog.objects.services import OTHER_NUMBER_KINDS

#: blank rows offered for new makers, dimensions and other numbers
EXTRA_ROWS = 2


class CleanForm(FlaskForm):
    """A form whose submitted text never carries NUL characters.

    PostgreSQL refuses NUL in text; without this a pasted or hostile value would be a server
    error instead of a harmless, slightly different string.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form: FlaskForm, formdata: object) -> object:
            data = super().wrap_formdata(form, formdata)
            if data is None:
                return None
            return MultiDict([
                (key, value.replace("\x00", "") if isinstance(value, str) else value)
                for key, values in data.lists() for value in values])


class MakerRow(Form):
    name = StringField("Maker", validators=[Optional(), Length(max=300)],
                       render_kw={"list": "maker-names", "autocomplete": "off"})
    role = StringField("Role", validators=[Optional(), Length(max=100)],
                       render_kw={"list": "vocab-maker_role"})


class DimensionRow(Form):
    part = StringField("Part", validators=[Optional(), Length(max=100)],
                       render_kw={"list": "vocab-dimension_part"})
    dimension = SelectField("Dimension", choices={"": "—", **DIMENSION_TYPES},
                            validate_choice=False)  # the service checks; empty rows are skipped
    value = StringField("Value", validators=[Optional(), Length(max=20)],
                        render_kw={"inputmode": "decimal"})
    unit = SelectField("Unit", choices={u: u for u in LENGTH_UNITS + WEIGHT_UNITS},
                       validate_choice=False)


class OtherNumberRow(Form):
    number = StringField("Other number", validators=[Optional(), Length(max=100)])
    kind = SelectField("Kind", choices=OTHER_NUMBER_KINDS, validate_choice=False)


class ObjectForm(CleanForm):
    """Create or edit an object. The number is only set here on creation (renumber otherwise)."""

    object_number = StringField("Object number", validators=[Optional(), Length(max=100)],
                                render_kw={"autocomplete": "off", "data-check-number": "1"})
    scheme = SelectField("Or allocate the next number from", choices={}, default="")
    lot = IntegerField("Add to lot (accession numbers; empty for a new lot)",
                       validators=[Optional(), NumberRange(min=1)])
    # Deaccessioning is a procedure of its own, never a status picked on a form.
    status = SelectField("Status", choices={k: v for k, v in OBJECT_STATUSES.items()
                                            if k != "deaccessioned"}, default="accessioned")
    object_name = StringField("Object name", validators=[Optional(), Length(max=200)],
                              render_kw={"list": "vocab-object_name"})
    title = StringField("Title", validators=[Optional(), Length(max=2000)])
    number_of_objects = IntegerField("Number of objects", default=1,
                                     validators=[DataRequired("Give the number of objects."),
                                                 NumberRange(min=1, max=1_000_000)])
    parts = StringField("Parts (e.g. a–c)", validators=[Optional(), Length(max=100)])
    brief_description = TextAreaField("Brief description", validators=[Optional()])
    physical_description = TextAreaField("Physical description", validators=[Optional()])
    materials = StringField("Materials", validators=[Optional(), Length(max=2000)],
                            render_kw={"list": "vocab-material"})
    techniques = StringField("Techniques", validators=[Optional(), Length(max=2000)],
                             render_kw={"list": "vocab-technique"})
    makers = FieldList(FormField(MakerRow), min_entries=1)
    dimensions = FieldList(FormField(DimensionRow), min_entries=1)
    dimensions_display = StringField("Dimensions as displayed (made from the rows when empty)",
                                     validators=[Optional(), Length(max=2000)])
    production_date = StringField("Production date (as written, e.g. c.1850)",
                                  validators=[Optional(), Length(max=200)])
    earliest_year = IntegerField("Earliest year", validators=[Optional(),
                                                             NumberRange(-100_000, 3000)])
    latest_year = IntegerField("Latest year", validators=[Optional(), NumberRange(-100_000, 3000)])
    production_place = StringField("Place of production", validators=[Optional(),
                                                                       Length(max=300)])
    inscriptions = TextAreaField("Inscriptions and marks", validators=[Optional()])
    department = StringField("Department", validators=[Optional(), Length(max=200)],
                             render_kw={"list": "vocab-department"})
    credit_line = StringField("Credit line", validators=[Optional(), Length(max=2000)])
    rights = StringField("Rights", validators=[Optional(), Length(max=2000)])
    keywords = StringField("Keywords (separated by commas)",
                           validators=[Optional(), Length(max=2000)])
    other_numbers = FieldList(FormField(OtherNumberRow), min_entries=1)


class RenumberForm(CleanForm):
    new_number = StringField("New number", validators=[Optional(), Length(max=100)],
                             render_kw={"autocomplete": "off", "data-check-number": "1"})
    scheme = SelectField("Or the next number from", choices={}, default="")
    lot = IntegerField("Add to lot (accession numbers; empty for a new lot)",
                       validators=[Optional(), NumberRange(min=1)])
    old_kind = SelectField("Keep the old number as", choices=OTHER_NUMBER_KINDS,
                           default="previous")
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class ImageUploadForm(CleanForm):
    image = FileField("Image (JPEG, PNG, TIFF or WebP)", validators=[FileRequired()])
    caption = StringField("Caption", validators=[Optional(), Length(max=2000)])
    rights = StringField("Rights / photo credit", validators=[Optional(), Length(max=2000)])
    is_primary = BooleanField("Primary image")


class ImageEditForm(CleanForm):
    caption = StringField("Caption", validators=[Optional(), Length(max=2000)])
    rights = StringField("Rights / photo credit", validators=[Optional(), Length(max=2000)])


class NumberSchemeForm(CleanForm):
    code = StringField("Code", validators=[DataRequired(), Length(max=40)])
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    pattern = StringField("Pattern, e.g. {year}.{lot}.{item}, L.{year}.{n} or IN{year}.{n:4}",
                          validators=[DataRequired(), Length(max=100)])
    applies_to = SelectField("Numbers", choices={})
    is_active = BooleanField("In use", default=True)
