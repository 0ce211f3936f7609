"""Every user-facing string of the accounts and admin features has a Vietnamese translation."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2] / "lms"
# Besides gettext: the English msgids carried by AccountError and rejected roster rows.
KEYWORDS = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "AccountError": None, "error": None,
            "RowError": (3,)}


@pytest.mark.parametrize("feature", ["accounts", "admin"])
def test_every_message_has_a_vietnamese_translation(feature):
    folder = ROOT / feature
    with (folder / "translations/vi/LC_MESSAGES/messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")], keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    found.discard("")
    assert sorted(found - translated) == []
