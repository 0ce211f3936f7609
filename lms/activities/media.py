"""Media files of course packages: which files are allowed and how Markdown refers to them."""
from __future__ import annotations

import re

# Images and downloadable documents a lesson may carry; anything else is refused by the validator.
MEDIA_TYPES = {
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".webp": "image/webp", ".pdf": "application/pdf", ".txt": "text/plain",
    ".csv": "text/csv", ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MEDIA_PATH = re.compile(r"^media/[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
# Markdown links and images whose target is inside the package's media folder.
_MARKDOWN_TARGET = re.compile(r"\]\(\s*<?(media/[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def media_references(markdown_text: str) -> set[str]:
    """Every ``media/...`` path a Markdown text links to or shows as an image."""
    return set(_MARKDOWN_TARGET.findall(markdown_text))


def content_type_for(path: str) -> str | None:
    """The media type of an allowed media file, None when the extension is not allowed."""
    suffix = path[path.rfind("."):].lower() if "." in path else ""
    return MEDIA_TYPES.get(suffix)
