"""Sign-in, password and user administration forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField("New password", validators=[DataRequired(), Length(min=10)])
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("new_password",
                                                                "The passwords differ.")])


class UserForm(FlaskForm):
    email = EmailField("E-mail address", validators=[DataRequired(), Length(max=320)])
    name = StringField("Name", validators=[Optional(), Length(max=200)])
    roles = MultiCheckboxField("Roles", validators=[DataRequired("Choose at least one role.")])
    authority_limit = DecimalField("Authority limit (write-offs and settlements)", places=2,
                                   validators=[Optional(), NumberRange(min=0)])
    authority_currency = SelectField("Currency", choices=["GBP", "EUR", "USD"],
                                     default="GBP")
    password = PasswordField("Password (new users; at least 10 characters)",
                             validators=[Optional(), Length(min=10)])


class RolePermissionsForm(FlaskForm):
    permissions = MultiCheckboxField("Permissions")


class TokenForm(FlaskForm):
    name = StringField("What the token is for", validators=[DataRequired(), Length(max=100)])
