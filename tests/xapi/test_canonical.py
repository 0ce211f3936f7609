"""Canonical activity and agent rows (xapi/lrs/canonical.py): the plan of a write.

Data §2.4.4.1 / Communication §2.1.3 (canonical format): the LRS keeps one canonical definition
per activity, updated from statements; language maps merge language by language. Planning a
write reads the stored rows and builds new objects for what changes.
"""
from __future__ import annotations

import copy

from xapi.lrs import canonical

ACTIVITY = "https://congdanso.example/xapi/courses/ubuntu-basics"


def _found(definition: dict, names: list[str]) -> canonical.Found:
    statement = {
        "actor": {"mbox": "mailto:lan@example.vn", "name": names[0]},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": ACTIVITY, "definition": definition},
    }
    found = canonical.found_in([statement])
    for name in names[1:]:
        found.agents[next(iter(found.agents))][1].append(name)
    return found


def test_planning_reads_the_stored_rows_without_changing_them():
    """The stored rows read stay as they were; the merged definition and names are new objects."""
    found = _found({"name": {"en": "Ubuntu basics"}, "type": "http://adlnet.gov/expapi/activities/course"},
                   ["Lan", "Nguyễn Thị Lan"])
    activity_key = next(iter(found.activities))
    agent_key = next(iter(found.agents))
    stored_activities = {activity_key: {"name": {"vi": "Làm quen với Ubuntu"}, "description": {"vi": "Bài mở đầu"}}}
    stored_agents = {agent_key: ["Lan"]}
    before = copy.deepcopy((stored_activities, stored_agents))

    writes = canonical.plan_writes(found, stored_activities, stored_agents, may_define=True)

    assert (stored_activities, stored_agents) == before
    (update,) = writes.activity_updates
    assert update["definition"]["name"] == {"vi": "Làm quen với Ubuntu", "en": "Ubuntu basics"}
    assert update["definition"]["description"] == {"vi": "Bài mở đầu"}
    (agent_update,) = writes.agent_updates
    assert agent_update["names"] == ["Lan", "Nguyễn Thị Lan"]


def test_a_definition_already_stored_plans_no_write():
    found = _found({"name": {"en": "Ubuntu basics"}}, ["Lan"])
    stored_activities = {next(iter(found.activities)): {"name": {"en": "Ubuntu basics", "vi": "Ubuntu"}}}
    stored_agents = {next(iter(found.agents)): ["Lan"]}
    writes = canonical.plan_writes(found, stored_activities, stored_agents, may_define=True)
    assert writes.activity_updates == [] and writes.activity_inserts == []
    assert writes.agent_updates == [] and writes.agent_inserts == []
