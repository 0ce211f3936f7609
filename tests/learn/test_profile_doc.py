"""The xAPI profile page documents every verb, activity type and extension we emit, and the plugins' verbs."""
from __future__ import annotations

from xapi import vocabulary


def test_profile_page_lists_the_vocabulary(app, project_root):
    text = (project_root / "docs" / "content" / "xapi-profile.md").read_text(encoding="utf-8")
    iris = list(vocabulary.VERBS) + list(vocabulary.ACTIVITY_TYPES.values()) + list(vocabulary.EXTENSIONS)
    missing = [iri for iri in iris if f"`{iri}`" not in text]
    assert missing == []
    for plugin in app.extensions["lms.activities"].values():
        assert set(plugin.verbs) <= set(vocabulary.VERBS), plugin.name
        assert f"`{plugin.xapi_activity_type}`" in text
