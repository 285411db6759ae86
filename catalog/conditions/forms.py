"""Condition report and treatment forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from catalog.conditions.models import AREAS, COMPLETENESS, CONDITIONS, CONTEXTS, PRIORITIES
from catalog.loans.forms import choices


class AreaForm(FlaskForm):
    class Meta:
        csrf = False

    area = StringField("Area", validators=[Optional(), Length(max=100)])
    note = TextAreaField("Notes", validators=[Optional()])


class ReportForm(FlaskForm):
    object_number = StringField("Object number", validators=[DataRequired(), Length(max=100)])
    context = SelectField("Context", choices=choices(CONTEXTS.items()))
    loan_id = StringField("Loan", validators=[Optional()])
    examiner_name = StringField("Examiner", validators=[DataRequired(), Length(max=200)])
    examined_on = DateField("Examined on", validators=[DataRequired()])
    overall = SelectField("Overall condition", choices=choices(CONDITIONS.items()))
    completeness = SelectField("Completeness", choices=choices(COMPLETENESS.items()))
    completeness_note = TextAreaField("Missing or detached parts", validators=[Optional()])
    hazards = TextAreaField("Hazards (e.g. arsenic, asbestos, sharp edges)",
                            validators=[Optional()])
    summary = TextAreaField("Summary", validators=[Optional()])
    areas = FieldList(FormField(AreaForm), min_entries=len(AREAS))
    display_recommendation = TextAreaField("Display", validators=[Optional()])
    handling_recommendation = TextAreaField("Handling", validators=[Optional()])
    storage_recommendation = TextAreaField("Storage", validators=[Optional()])
    packing_recommendation = TextAreaField("Packing", validators=[Optional()])
    priority = SelectField("Priority", choices=choices(PRIORITIES.items()))
    next_check_on = DateField("Next check", validators=[Optional()])


class PhotoForm(FlaskForm):
    photo = FileField("Photo")
    kind = SelectField("Shows", choices=choices([("general", "General view"), ("detail", "Detail"),
                                                 ("before", "Before treatment"),
                                                 ("after", "After treatment")]))
    caption = StringField("Caption", validators=[Optional(), Length(max=300)])


class TreatmentForm(FlaskForm):
    object_number = StringField("Object number", validators=[DataRequired(), Length(max=100)])
    proposal = TextAreaField("Proposed treatment", validators=[DataRequired()])
    conservator_name = StringField("Conservator", validators=[Optional(), Length(max=200)])


class TreatmentRecordForm(FlaskForm):
    treatment_record = TextAreaField("Treatment record", validators=[Optional()])
    materials_used = TextAreaField("Materials used", validators=[Optional()])
    conservator_name = StringField("Conservator", validators=[Optional(), Length(max=200)])


class AnnotationForm(FlaskForm):
    x = IntegerField("Across (‰)", validators=[DataRequired(message="Tap on the photo."),
                                               NumberRange(0, 1000)])
    y = IntegerField("Down (‰)", validators=[DataRequired(message="Tap on the photo."),
                                             NumberRange(0, 1000)])
    note = StringField("What the mark shows", validators=[DataRequired(), Length(max=2000)])
