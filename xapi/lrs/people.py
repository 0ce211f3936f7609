"""xAPI Agents Resource (Communication §2.4) and Activities Resource (§2.5): read-only views."""
from __future__ import annotations

from xapi.lrs.auth import require
from xapi.lrs.canonical import activity_object, person_object
from xapi.lrs.http import bp, db_session, json_response
from xapi.lrs.params import activity_id_param, agent_param, read_params


@bp.route("/agents", methods=["GET"])
def agents():
    """§2.4: the Person object that combines what the LRS knows of the agent's identifier."""
    session = db_session()
    require(session, "read")
    params = read_params({"agent"}, {"agent"})
    return json_response(person_object(session, agent_param(params["agent"])))


@bp.route("/activities", methods=["GET"])
def activities():
    """§2.5: the canonical Activity object; a bare one when the LRS knows no definition."""
    session = db_session()
    require(session, "read")
    params = read_params({"activityId"}, {"activityId"})
    return json_response(activity_object(session, activity_id_param(params["activityId"])))

