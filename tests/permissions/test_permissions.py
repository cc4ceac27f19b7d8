"""Who may do what, cell by cell: every (action, standing) of the permission table, through GraphQL.

Each cell starts a group by shareTicket (so the table is tested apart from invitations) with its
owner, a plain member `target` that actions aim at, and the `actor`, who first joins as a member,
then lets the action set up what it needs (their own items are written while they still may),
then takes the standing under test, then acts.
"""

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from groupql.services.permissions import PERMISSIONS, Action, Standing
from tests.actors import join, login
from tests.conftest import Api, Clock
from tests.groups.documents import UPDATE_GROUP
from tests.invites.documents import CREATE_INVITE, REVOKE_INVITE
from tests.items.documents import DELETE, EDIT, PIN, POST
from tests.members.documents import APPROVE, LEAVE, MUTE, REMOVE, SET_ROLE, TRANSFER, UNBAN
from tests.permissions.scenario import Scenario
from tests.polls.documents import VOTE
from tests.questions.documents import ACCEPT

VIEW_GROUP = "query($id: ID!) { group(id: $id) { id items { edges { node { id } } } } }"
VIEW_GROUP_SUMMARY = "query($id: ID!) { group(id: $id) { id title memberCount } }"
VIEW_MODERATION = """
query($id: ID!) { group(id: $id) { members(status: PENDING) { edges { node { id } } } } }
"""
HELLO = {"type": "TEXT", "text": "hello"}
OPT_IN = "mutation($g: ID!) { setRankingOptIn(groupId: $g, steps: true) { id } }"
DEFINE_METRIC = """
mutation($g: ID!) { defineMetric(groupId: $g, key: "checkins", name: "Check-ins") { key } }
"""
RECORD_SCORE = """
mutation($g: ID!, $u: ID) {
  recordScore(groupId: $g, metric: "checkins", value: 1, clientId: "c1", userId: $u) { value }
}
"""


Perform = Callable[[Scenario], Awaitable[dict[str, Any]]]


async def view_group_summary(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(VIEW_GROUP_SUMMARY, id=s.group_id)


async def view_group(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(VIEW_GROUP, id=s.group_id)


async def post(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(POST, input={"groupId": s.group_id, **HELLO})


async def post_when_admins_only(s: Scenario) -> dict[str, Any]:
    await s.owner.update_group(postPolicy="ADMINS")
    await s.take_standing()
    return await s.as_actor(POST, input={"groupId": s.group_id, **HELLO})


async def edit_own_item(s: Scenario) -> dict[str, Any]:
    item = await s.post(s.own_author)
    await s.take_standing()
    return await s.as_actor(EDIT, itemId=item["id"], text="edited")


async def delete_own_item(s: Scenario) -> dict[str, Any]:
    item = await s.post(s.own_author)
    await s.take_standing()
    return await s.as_actor(DELETE, itemId=item["id"])


async def delete_any_item(s: Scenario) -> dict[str, Any]:
    item = await s.post(s.target)
    await s.take_standing()
    s.clock.advance(seconds=s.api.settings.recall_window_s + 1)
    return await s.as_actor(DELETE, itemId=item["id"])


async def vote(s: Scenario) -> dict[str, Any]:
    poll = await s.post(s.owner, "POLL", text="Lunch?", poll={"options": ["Noodles", "Rice"]})
    await s.take_standing()
    option_id = poll["poll"]["options"][0]["id"]
    return await s.as_actor(VOTE, itemId=poll["id"], optionIds=[option_id])


async def accept_own_question_answer(s: Scenario) -> dict[str, Any]:
    ids = await s.question_with_answer(s.own_author)
    await s.take_standing()
    return await s.as_actor(ACCEPT, **ids)


async def accept_any_answer(s: Scenario) -> dict[str, Any]:
    ids = await s.question_with_answer(s.target)
    await s.take_standing()
    return await s.as_actor(ACCEPT, **ids)


async def pin(s: Scenario) -> dict[str, Any]:
    item = await s.post(s.target)
    await s.take_standing()
    return await s.as_actor(PIN, itemId=item["id"])


async def pin_when_members_can_pin(s: Scenario) -> dict[str, Any]:
    await s.owner.update_group(membersCanPin=True)
    item = await s.post(s.target)
    await s.take_standing()
    return await s.as_actor(PIN, itemId=item["id"])


async def mention_all(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(POST, input={"groupId": s.group_id, **HELLO, "mentionAll": True})


async def mention_all_when_members_may(s: Scenario) -> dict[str, Any]:
    await s.owner.update_group(mentionAllRoles=["OWNER", "ADMIN", "MEMBER"])
    await s.take_standing()
    return await s.as_actor(POST, input={"groupId": s.group_id, **HELLO, "mentionAll": True})


async def report_item(s: Scenario) -> dict[str, Any]:
    item = await s.post(s.target)
    await s.take_standing()
    query = 'mutation($itemId: ID!) { reportItem(itemId: $itemId, reason: "spam") }'
    return await s.as_actor(query, itemId=item["id"])


async def review_content(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    query = "query($id: ID!) { group(id: $id) { reviewQueue { edges { node { id } } } } }"
    return await s.as_actor(query, id=s.group_id)


async def update_group(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(UPDATE_GROUP, input={"groupId": s.group_id, "title": "Renamed"})


async def set_member_role(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(SET_ROLE, groupId=s.group_id, userId=s.target.user_id, role="ADMIN")


async def transfer_ownership(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(TRANSFER, groupId=s.group_id, userId=s.target.user_id)


async def remove_member(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(REMOVE, groupId=s.group_id, userId=s.target.user_id, ban=False)


async def ban_member(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(REMOVE, groupId=s.group_id, userId=s.target.user_id, ban=True)


async def unban_member(s: Scenario) -> dict[str, Any]:
    await s.owner.remove(s.target, ban=True)
    await s.take_standing()
    return await s.as_actor(UNBAN, groupId=s.group_id, userId=s.target.user_id)


async def mute_member(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    until = (s.clock.now + timedelta(minutes=10)).isoformat()
    return await s.as_actor(MUTE, groupId=s.group_id, userId=s.target.user_id, until=until)


async def approve_member(s: Scenario) -> dict[str, Any]:
    await s.owner.update_group(joinPolicy="APPROVAL")
    s.target = await join(s.api, "newcomer")
    await s.take_standing()
    return await s.as_actor(APPROVE, groupId=s.group_id, userId=s.target.user_id)


async def view_moderation(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(VIEW_MODERATION, id=s.group_id)


async def invite(s: Scenario) -> dict[str, Any]:
    await s.owner.update_group(membersCanInvite=False)
    await s.take_standing()
    return await s.as_actor(CREATE_INVITE, groupId=s.group_id)


async def invite_when_members_can_invite(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(CREATE_INVITE, groupId=s.group_id)


async def revoke_own_invite(s: Scenario) -> dict[str, Any]:
    # Made while the actor could still invite; an outsider never could, so theirs is the owner's.
    created = await s.own_author.data(CREATE_INVITE, groupId=s.group_id)
    await s.take_standing()
    return await s.as_actor(REVOKE_INVITE, inviteId=created["createInvite"]["id"])


async def revoke_any_invite(s: Scenario) -> dict[str, Any]:
    # The target's invitation: someone else's for every actor, the owner included.
    created = await s.target.data(CREATE_INVITE, groupId=s.group_id)
    await s.take_standing()
    return await s.as_actor(REVOKE_INVITE, inviteId=created["createInvite"]["id"])


async def leave(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(LEAVE, groupId=s.group_id)


async def rank(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(OPT_IN, g=s.group_id)


async def define_metric(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(DEFINE_METRIC, g=s.group_id)


async def record_score_for_others(s: Scenario) -> dict[str, Any]:
    await s.owner.data(DEFINE_METRIC, g=s.group_id)
    await s.take_standing()
    return await s.as_actor(RECORD_SCORE, g=s.group_id, u=s.target.user_id)


PERFORM: dict[Action, Perform] = {
    Action.VIEW_GROUP_SUMMARY: view_group_summary,
    Action.VIEW_GROUP: view_group,
    Action.POST: post,
    Action.POST_WHEN_ADMINS_ONLY: post_when_admins_only,
    Action.EDIT_OWN_ITEM: edit_own_item,
    Action.DELETE_OWN_ITEM: delete_own_item,
    Action.DELETE_ANY_ITEM: delete_any_item,
    Action.VOTE: vote,
    Action.ACCEPT_OWN_QUESTION_ANSWER: accept_own_question_answer,
    Action.ACCEPT_ANY_ANSWER: accept_any_answer,
    Action.MENTION_ALL: mention_all,
    Action.MENTION_ALL_WHEN_MEMBERS_MAY: mention_all_when_members_may,
    Action.REPORT_ITEM: report_item,
    Action.REVIEW_CONTENT: review_content,
    Action.PIN: pin,
    Action.PIN_WHEN_MEMBERS_CAN_PIN: pin_when_members_can_pin,
    Action.UPDATE_GROUP: update_group,
    Action.SET_MEMBER_ROLE: set_member_role,
    Action.TRANSFER_OWNERSHIP: transfer_ownership,
    Action.REMOVE_MEMBER: remove_member,
    Action.BAN_MEMBER: ban_member,
    Action.UNBAN_MEMBER: unban_member,
    Action.MUTE_MEMBER: mute_member,
    Action.APPROVE_MEMBER: approve_member,
    Action.VIEW_MODERATION: view_moderation,
    Action.INVITE: invite,
    Action.INVITE_WHEN_MEMBERS_CAN_INVITE: invite_when_members_can_invite,
    Action.REVOKE_OWN_INVITE: revoke_own_invite,
    Action.REVOKE_ANY_INVITE: revoke_any_invite,
    Action.LEAVE: leave,
    Action.RANK: rank,
    Action.DEFINE_METRIC: define_metric,
    Action.RECORD_SCORE_FOR_OTHERS: record_score_for_others,
}

CELLS = [
    pytest.param(action, who, id=f"{action.name}-{who.name}")
    for action in Action
    for who in Standing
]


def test_every_action_of_the_table_is_performed_here() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert set(PERFORM) == set(Action)


async def _scenario(api: Api, clock: Clock, who: Standing) -> Scenario:
    owner = await join(api, "owner")
    target = await join(api, "target")
    if who is Standing.OUTSIDER:
        actor = await login(api, "actor")
    elif who is Standing.OWNER:
        actor = owner
    else:
        actor = await join(api, "actor")
    return Scenario(api=api, clock=clock, standing=who, owner=owner, target=target, actor=actor)


@pytest.mark.parametrize(("action", "who"), CELLS)
async def test_a_user_may_act_exactly_as_the_permission_table_says(
    api: Api, clock: Clock, action: Action, who: Standing
) -> None:
    scenario = await _scenario(api, clock, who)
    body = await PERFORM[action](scenario)
    assert scenario.standing_taken, f"PERFORM[{action.name}] never called take_standing()"
    if who in PERMISSIONS[action]:
        assert "errors" not in body, body["errors"]
        assert body["data"] is not None
    else:
        assert body.get("errors"), f"{who.name} was allowed to {action.value}: {body}"
        refusal = "BANNED" if who is Standing.BANNED else "FORBIDDEN"
        assert body["errors"][0]["extensions"]["code"] == refusal, body["errors"]
