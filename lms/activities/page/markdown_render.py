"""Markdown to safe HTML for lesson pages: rendered with python-markdown, sanitised with nh3."""
from __future__ import annotations

from functools import lru_cache

import re

import markdown
import nh3

_LEADING_H1 = re.compile(r"\A\s*# ([^\n]*)(\n|\Z)")


def without_repeated_title(text: str, title: str) -> str:
    """Drop a leading "# Title" line equal to the module title, which the player already shows."""
    match = _LEADING_H1.match(text)
    if match and match.group(1).strip() == title.strip():
        return text[match.end():]
    return text

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i",
    "code", "pre", "blockquote", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "del",
    "sup", "sub", "span", "div", "figure", "figcaption",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"}, "ol": {"start"},
}


def _rewrite_media(media_url: str):
    def filter_attribute(tag: str, attribute: str, value: str) -> str | None:
        if attribute in ("src", "href") and value.startswith("media/"):
            return f"{media_url}/{value}"
        return value

    return filter_attribute


@lru_cache(maxsize=512)
def render_markdown(text: str, media_url: str) -> str:
    """Safe HTML of ``text``; ``media/...`` links point below ``media_url``. Cached: pages repeat."""
    html = markdown.markdown(text, extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    # Raw HTML in lessons is not trusted: nh3 keeps only the tags Markdown itself produces.
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer", attribute_filter=_rewrite_media(media_url.rstrip("/")),
    )
