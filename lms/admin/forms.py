"""Forms of the admin pages (Flask-WTF, CSRF-protected)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from lms.accounts.models import ROLES

try:  # WTForms 3.3 deprecates (value, label) tuples as choices
    from wtforms.fields.choices import SelectChoice as choice
except ImportError:  # older WTForms
    def choice(value, label):  # noqa: ANN001, ANN201
        return (value, label)
from xapi.lrs.auth import SCOPES

ROLE_LABELS = {"admin": _l("Administrator"), "manager": _l("School manager"), "teacher": _l("Teacher"),
               "student": _l("Student")}


class SchoolForm(FlaskForm):
    name = StringField(_l("School name"), validators=[DataRequired(), Length(max=200)])
    code = StringField(_l("Short code"), validators=[DataRequired(), Length(max=32)])
    province = StringField(_l("Province or city"), validators=[Optional(), Length(max=100)])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[choice(r, ROLE_LABELS[r]) for r in ROLES])
    school_id = SelectField(_l("School"), coerce=int, choices=[])


class UserForm(RoleForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=32)])
    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Length(max=254)])


def at_least_one_scope(form: FlaskForm, field) -> None:
    """Like DataRequired, without its ``required`` flag: WTForms would put ``required`` on every
    checkbox of the list, and a browser would then refuse the form until all were ticked."""
    if not field.data:
        raise ValidationError(_l("Choose at least one scope."))


class LrsClientForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    scopes = SelectMultipleField(_l("Scopes"), choices=[choice(s, s) for s in SCOPES],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                 validators=[at_least_one_scope])
    origins = TextAreaField(_l("Allowed browser origins (CORS), one per line"), validators=[Optional()])
    bare_profile_put = BooleanField(_l("Let this client create profile documents with a plain PUT "
                                       "(xAPI 1.0.x clients such as TinCanPython send no If-Match or "
                                       "If-None-Match)"))
