"""The assignment form: course, modules, opening and due dates (local dates of the site's time zone)."""
from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from marshmallow import RAISE, Schema, ValidationError, fields, validates_schema

# Schools and deadlines are in Vietnam: dates typed by teachers are local dates.
SITE_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class AssignmentForm(Schema):
    """Fields of the "assign a course" form."""

    class Meta:
        unknown = RAISE

    csrf_token = fields.String(load_default=None)
    course_id = fields.Integer(required=True)
    modules = fields.List(fields.String(), load_default=list)
    opens_on = fields.Date(required=True)
    due_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _dates(self, data: dict, **kwargs: object) -> None:
        if data.get("due_on") and data["due_on"] < data["opens_on"]:
            raise ValidationError("The due date must be after the opening date.", "due_on")


def parse_assignment_form(form: dict[str, list[str]]) -> dict:
    """Load the form (lists from ``request.form.to_dict(flat=False)``); ValidationError on bad input."""
    flat: dict[str, object] = {k: (v if k == "modules" else v[0]) for k, v in form.items() if v}
    if flat.get("due_on") == "":
        flat["due_on"] = None
    data = AssignmentForm().load(flat)
    # Stored in UTC: SQLite keeps no offset, so every stored time must be in the same zone.
    data["opens_at"] = datetime.combine(data["opens_on"], time(0, 0), SITE_ZONE).astimezone(timezone.utc)
    data["due_at"] = (datetime.combine(data["due_on"], time(23, 59), SITE_ZONE).astimezone(timezone.utc)
                      if data["due_on"] else None)
    return data
