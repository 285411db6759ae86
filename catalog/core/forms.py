"""Form helpers shared by every domain."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import render_template
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from catalog.core.errors import DomainError


def select_choices(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs (WTForms 3.3 deprecates bare tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for single-button actions (disable, approve, send)."""


def show_domain_error(form: FlaskForm, exc: DomainError) -> None:
    """Attach a service's refusal to the field it names, or to the form as a whole."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        errors = list(field.errors)
        errors.append(exc.message)
        field.errors = errors
    else:
        form.form_errors.append(exc.message)


def render_invalid(template: str, **context: Any) -> tuple[str, int]:
    """Re-render a form with its errors.

    The status is 422 so that the unit of work rolls back anything a service did before it
    refused: a refused form never leaves half a record behind.
    """
    return render_template(template, **context), 422
