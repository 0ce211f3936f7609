"""Views of the teach feature."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("teach", __name__, url_prefix="/teach", template_folder="templates")
