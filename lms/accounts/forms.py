"""Forms of the accounts feature (Flask-WTF: every POST carries a CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    identifier = StringField(_l("Username or e-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("New password again"),
                            validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))])


class ClassForm(FlaskForm):
    name = StringField(_l("Class name"), validators=[DataRequired(), Length(max=100)])
    school_year = StringField(_l("School year"), validators=[Optional(), Length(max=16)])
    teacher = StringField(_l("Teacher's username (school managers and admins)"),
                          validators=[Optional(), Length(max=64)])


class StudentForm(FlaskForm):
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    username = StringField(_l("Username (optional)"), validators=[Optional(), Length(max=32)])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Length(max=254)])
    date_of_birth = DateField(_l("Date of birth (optional)"), validators=[Optional()])


class RosterForm(FlaskForm):
    csv_file = FileField(_l("CSV file"))
    csv_text = TextAreaField(_l("Or paste the rows here"), validators=[Optional(), Length(max=200_000)])


class TeacherForm(FlaskForm):
    username = StringField(_l("Teacher's username"), validators=[DataRequired(), Length(max=64)])
