"""The built-in "page" activity: a lesson written in Markdown, with images and downloads."""
from lms.activities.page.activity import PageActivity

__all__ = ["PageActivity"]
