"""Views of the learn feature."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("learn", __name__, url_prefix="/learn", template_folder="templates")
