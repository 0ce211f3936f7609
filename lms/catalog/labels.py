"""Names shown for the codes of course packages: target groups and EU DigComp 2.2 competences."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The order of the validator's list (lms.catalog.packages.TARGET_GROUPS), kept for the filter links.
TARGET_GROUP_LABELS = {
    "pupils": _l("Pupils"),
    "youth": _l("Youth"),
    "citizens": _l("Citizens"),
    "village-heads": _l("Village heads"),
    "officials": _l("Officials"),
    "civil-servants": _l("Civil servants"),
}

DIGCOMP_AREAS = {
    "1": _l("Information and data literacy"),
    "2": _l("Communication and collaboration"),
    "3": _l("Digital content creation"),
    "4": _l("Safety"),
    "5": _l("Problem solving"),
}

# The 21 competences of DigComp 2.2 (European Commission, 2022), by number.
DIGCOMP_COMPETENCES = {
    "1.1": _l("Browsing, searching and filtering data, information and digital content"),
    "1.2": _l("Evaluating data, information and digital content"),
    "1.3": _l("Managing data, information and digital content"),
    "2.1": _l("Interacting through digital technologies"),
    "2.2": _l("Sharing through digital technologies"),
    "2.3": _l("Engaging in citizenship through digital technologies"),
    "2.4": _l("Collaborating through digital technologies"),
    "2.5": _l("Netiquette"),
    "2.6": _l("Managing digital identity"),
    "3.1": _l("Developing digital content"),
    "3.2": _l("Integrating and re-elaborating digital content"),
    "3.3": _l("Copyright and licences"),
    "3.4": _l("Programming"),
    "4.1": _l("Protecting devices"),
    "4.2": _l("Protecting personal data and privacy"),
    "4.3": _l("Protecting health and well-being"),
    "4.4": _l("Protecting the environment"),
    "5.1": _l("Solving technical problems"),
    "5.2": _l("Identifying needs and technological responses"),
    "5.3": _l("Creatively using digital technologies"),
    "5.4": _l("Identifying digital competence gaps"),
}


def target_group_label(code: str) -> str:
    """The group's name in the interface language; an unknown code is shown as it is."""
    label = TARGET_GROUP_LABELS.get(code)
    return str(label) if label is not None else code


def digcomp_label(number: str) -> str:
    """The competence's name in the interface language; a number outside DigComp 2.2 stays bare."""
    label = DIGCOMP_COMPETENCES.get(number)
    return str(label) if label is not None else ""


def digcomp_area_label(number: str) -> str:
    label = DIGCOMP_AREAS.get(number.split(".", 1)[0])
    return str(label) if label is not None else ""
