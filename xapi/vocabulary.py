"""The xAPI vocabulary the platform emits (our profile): verbs, activity types, extensions.

Verbs come from the ADL vocabulary (http://adlnet.gov/expapi/verbs/...), which cmi5 also uses
for launched/initialized/passed/failed/completed/terminated. Every IRI here is documented in
docs/content/xapi-profile.md; a test checks that the two agree.
"""
from __future__ import annotations

ADL_VERBS = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITIES = "http://adlnet.gov/expapi/activities/"
PROFILE_IRI = "https://congdanso.edu.vn/xapi/profile"
PLATFORM = "Công dân số"

# verb id -> display names (en-US, vi-VN)
VERBS: dict[str, dict[str, str]] = {
    ADL_VERBS + "launched": {"en-US": "launched", "vi-VN": "đã mở"},
    ADL_VERBS + "initialized": {"en-US": "initialized", "vi-VN": "đã bắt đầu"},
    ADL_VERBS + "experienced": {"en-US": "experienced", "vi-VN": "đã xem"},
    ADL_VERBS + "attempted": {"en-US": "attempted", "vi-VN": "đã làm bài"},
    ADL_VERBS + "answered": {"en-US": "answered", "vi-VN": "đã trả lời"},
    ADL_VERBS + "scored": {"en-US": "scored", "vi-VN": "đạt điểm"},
    ADL_VERBS + "passed": {"en-US": "passed", "vi-VN": "đã đạt"},
    ADL_VERBS + "failed": {"en-US": "failed", "vi-VN": "chưa đạt"},
    ADL_VERBS + "completed": {"en-US": "completed", "vi-VN": "đã hoàn thành"},
    ADL_VERBS + "progressed": {"en-US": "progressed", "vi-VN": "đã tiến bộ"},
    ADL_VERBS + "terminated": {"en-US": "terminated", "vi-VN": "đã kết thúc"},
}


def verb(name: str) -> str:
    """The IRI of one of our verbs by its last segment, e.g. ``verb("passed")``."""
    iri = ADL_VERBS + name
    if iri not in VERBS:
        raise KeyError(f"{name!r} is not a verb of the Công dân số profile")
    return iri


ACTIVITY_TYPES: dict[str, str] = {
    "course": ADL_ACTIVITIES + "course",
    "lesson": ADL_ACTIVITIES + "lesson",
    "assessment": ADL_ACTIVITIES + "assessment",
    "interaction": ADL_ACTIVITIES + "cmi.interaction",
    "profile": ADL_ACTIVITIES + "profile",
}

# Result extension: the share of the course's modules completed, 0..1 (on "progressed").
EXT_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
# Context extension: the module's position and the attempt number within the registration.
EXT_ATTEMPT = PROFILE_IRI + "/extensions/attempt"
EXT_SESSION = PROFILE_IRI + "/extensions/session"
EXTENSIONS = (EXT_PROGRESS, EXT_ATTEMPT, EXT_SESSION)

# Our interface languages as xAPI language tags.
LANGUAGE_TAGS = {"vi": "vi-VN", "en": "en-US"}


def language_map(texts: dict[str, str]) -> dict[str, str]:
    """``{"vi": ..., "en": ...}`` as an xAPI language map."""
    return {LANGUAGE_TAGS[k]: v for k, v in texts.items() if k in LANGUAGE_TAGS and v}
