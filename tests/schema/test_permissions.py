"""Who may do what, cell by cell: every (action, standing) of the permission table, through GraphQL.

Each cell starts a group by shareTicket (so the table is tested apart from invitations) with its
owner, a plain member `target` that actions aim at, and the `actor`, who first joins as a member,
then lets the action set up what it needs (their own items are written while they still may),
then takes the standing under test, then acts.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from groupql.services.permissions import PERMISSIONS, Action, Standing
from tests.conftest import LOGIN, Api, Clock

GID = "G-PERMISSIONS"

UPDATE_GROUP = """
mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id } }
"""
POST = """
mutation($groupId: ID!, $type: ItemType!, $text: String, $replyTo: ID, $poll: PollInput) {
  postItem(input: {groupId: $groupId, type: $type, text: $text, replyTo: $replyTo, poll: $poll}) {
    id poll { options { id } }
  }
}
"""
EDIT = 'mutation($itemId: ID!) { editItem(itemId: $itemId, text: "edited") { id } }'
DELETE = "mutation($itemId: ID!) { deleteItem(itemId: $itemId) { id } }"
VOTE = """
mutation($itemId: ID!, $optionIds: [ID!]!) { vote(itemId: $itemId, optionIds: $optionIds) { id } }
"""
ACCEPT = """
mutation($questionId: ID!, $answerId: ID!) {
  acceptAnswer(questionId: $questionId, answerId: $answerId) { id }
}
"""
PIN = "mutation($itemId: ID!) { pinItem(itemId: $itemId) { id } }"
SET_ROLE = """
mutation($groupId: ID!, $userId: ID!, $role: Role!) {
  setMemberRole(groupId: $groupId, userId: $userId, role: $role) { id }
}
"""
TRANSFER = """
mutation($groupId: ID!, $userId: ID!) {
  transferOwnership(groupId: $groupId, userId: $userId) { id }
}
"""
REMOVE = """
mutation($groupId: ID!, $userId: ID!, $ban: Boolean!) {
  removeMember(groupId: $groupId, userId: $userId, ban: $ban) { id }
}
"""
UNBAN = """
mutation($groupId: ID!, $userId: ID!) { unbanMember(groupId: $groupId, userId: $userId) { id } }
"""
MUTE = """
mutation($groupId: ID!, $userId: ID!, $until: DateTime) {
  muteMember(groupId: $groupId, userId: $userId, until: $until) { id }
}
"""
APPROVE = """
mutation($groupId: ID!, $userId: ID!) { approveMember(groupId: $groupId, userId: $userId) { id } }
"""
LEAVE = "mutation($groupId: ID!) { leaveGroup(groupId: $groupId) { id } }"
CREATE_INVITE = "mutation($groupId: ID!) { createInvite(groupId: $groupId) { id } }"
REVOKE_INVITE = "mutation($inviteId: ID!) { revokeInvite(inviteId: $inviteId) { id } }"
VIEW_GROUP = "query($id: ID!) { group(id: $id) { id items { edges { node { id } } } } }"
VIEW_MODERATION = """
query($id: ID!) { group(id: $id) { members(status: PENDING) { edges { node { id } } } } }
"""
MEMBERS = """
query($id: ID!, $status: MemberStatus!) {
  group(id: $id) {
    members(status: $status, first: 100) { edges { node { role isMuted user { id } } } }
  }
}
"""


@dataclass
class Player:
    token: str
    user_id: str


@dataclass
class Scenario:
    """One group, and the actor about to take `standing` in it."""

    api: Api
    clock: Clock
    standing: Standing
    group_id: str
    owner: Player
    target: Player
    actor: Player
    standing_taken: bool = False

    @property
    def actor_is_member(self) -> bool:
        return self.standing is not Standing.OUTSIDER

    @property
    def own_author(self) -> Player:
        """Who writes the actor's "own" items: the actor, unless they never were a member (an
        outsider has no items of their own, so theirs is the owner's)."""
        return self.actor if self.actor_is_member else self.owner

    async def as_actor(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.post(query, variables, token=self.actor.token)

    async def succeed(self, player: Player, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.data(query, variables, token=player.token)

    async def update_group(self, **settings: Any) -> None:
        await self.succeed(self.owner, UPDATE_GROUP, input={"groupId": self.group_id, **settings})

    async def post(self, author: Player, type: str = "TEXT", **content: Any) -> dict[str, Any]:
        text = content.pop("text", f"{type.lower()} by {author.user_id}")
        variables = {"groupId": self.group_id, "type": type, "text": text, **content}
        item: dict[str, Any] = (await self.succeed(author, POST, **variables))["postItem"]
        return item

    async def question_with_answer(self, asker: Player) -> dict[str, str]:
        question = await self.post(asker, "QUESTION", text="Where do we meet?")
        answer = await self.post(self.owner, text="At the gate.", replyTo=question["id"])
        return {"questionId": question["id"], "answerId": answer["id"]}

    async def ban(self, player: Player) -> None:
        await self.succeed(
            self.owner, REMOVE, groupId=self.group_id, userId=player.user_id, ban=True
        )

    async def join(self, code: str) -> Player:
        joined = await self.api.join(code, GID)
        return Player(await self.api.login_as(code), joined["member"]["user"]["id"])

    async def take_standing(self) -> None:
        """Move the actor, an active member until now, to the standing under test."""
        owner, group_id, actor = self.owner, self.group_id, self.actor
        match self.standing:
            case Standing.ADMIN:
                await self.succeed(
                    owner, SET_ROLE, groupId=group_id, userId=actor.user_id, role="ADMIN"
                )
            case Standing.MUTED:
                until = (self.clock.now + timedelta(hours=1)).isoformat()
                await self.succeed(owner, MUTE, groupId=group_id, userId=actor.user_id, until=until)
            case Standing.PENDING:
                await self.succeed(actor, LEAVE, groupId=group_id)
                await self.update_group(joinPolicy="APPROVAL")
                self.actor = await self.join("actor")
            case Standing.BANNED:
                await self.ban(actor)
            case Standing.FORMER:
                await self.succeed(actor, LEAVE, groupId=group_id)
        self.standing_taken = True
        await self._check_standing()

    async def _check_standing(self) -> None:
        expected = {
            Standing.ADMIN: ("ACTIVE", "ADMIN", False),
            Standing.MEMBER: ("ACTIVE", "MEMBER", False),
            Standing.MUTED: ("ACTIVE", "MEMBER", True),
            Standing.PENDING: ("PENDING", "MEMBER", False),
            Standing.BANNED: ("BANNED", "MEMBER", False),
            Standing.FORMER: ("LEFT", "MEMBER", False),
        }.get(self.standing)
        if expected is None:
            return
        status, role, is_muted = expected
        data = await self.succeed(self.owner, MEMBERS, id=self.group_id, status=status)
        nodes = data["group"]["members"]["edges"]
        mine = [e["node"] for e in nodes if e["node"]["user"]["id"] == self.actor.user_id]
        assert [(n["role"], n["isMuted"]) for n in mine] == [(role, is_muted)], (
            f"setting up {self.standing.name} failed: {nodes}"
        )


Perform = Callable[[Scenario], Awaitable[dict[str, Any]]]


async def view_group(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(VIEW_GROUP, id=s.group_id)


async def post(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(POST, groupId=s.group_id, type="TEXT", text="hello")


async def post_when_admins_only(s: Scenario) -> dict[str, Any]:
    await s.update_group(postPolicy="ADMINS")
    await s.take_standing()
    return await s.as_actor(POST, groupId=s.group_id, type="TEXT", text="hello")


async def edit_own_item(s: Scenario) -> dict[str, Any]:
    item = await s.post(s.own_author)
    await s.take_standing()
    return await s.as_actor(EDIT, itemId=item["id"])


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
    await s.update_group(membersCanPin=True)
    item = await s.post(s.target)
    await s.take_standing()
    return await s.as_actor(PIN, itemId=item["id"])


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
    await s.ban(s.target)
    await s.take_standing()
    return await s.as_actor(UNBAN, groupId=s.group_id, userId=s.target.user_id)


async def mute_member(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    until = (s.clock.now + timedelta(minutes=10)).isoformat()
    return await s.as_actor(MUTE, groupId=s.group_id, userId=s.target.user_id, until=until)


async def approve_member(s: Scenario) -> dict[str, Any]:
    await s.update_group(joinPolicy="APPROVAL")
    s.target = await s.join("newcomer")
    await s.take_standing()
    return await s.as_actor(APPROVE, groupId=s.group_id, userId=s.target.user_id)


async def view_moderation(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(VIEW_MODERATION, id=s.group_id)


async def invite(s: Scenario) -> dict[str, Any]:
    await s.update_group(membersCanInvite=False)
    await s.take_standing()
    return await s.as_actor(CREATE_INVITE, groupId=s.group_id)


async def invite_when_members_can_invite(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(CREATE_INVITE, groupId=s.group_id)


async def revoke_any_invite(s: Scenario) -> dict[str, Any]:
    # The target's invitation: someone else's for every actor, the owner included.
    created = await s.succeed(s.target, CREATE_INVITE, groupId=s.group_id)
    await s.take_standing()
    return await s.as_actor(REVOKE_INVITE, inviteId=created["createInvite"]["id"])


async def leave(s: Scenario) -> dict[str, Any]:
    await s.take_standing()
    return await s.as_actor(LEAVE, groupId=s.group_id)


PERFORM: dict[Action, Perform] = {
    Action.VIEW_GROUP: view_group,
    Action.POST: post,
    Action.POST_WHEN_ADMINS_ONLY: post_when_admins_only,
    Action.EDIT_OWN_ITEM: edit_own_item,
    Action.DELETE_OWN_ITEM: delete_own_item,
    Action.DELETE_ANY_ITEM: delete_any_item,
    Action.VOTE: vote,
    Action.ACCEPT_OWN_QUESTION_ANSWER: accept_own_question_answer,
    Action.ACCEPT_ANY_ANSWER: accept_any_answer,
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
    Action.REVOKE_ANY_INVITE: revoke_any_invite,
    Action.LEAVE: leave,
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
    owner_joined = await api.join("owner", GID)
    owner = Player(await api.login_as("owner"), owner_joined["member"]["user"]["id"])
    scenario = Scenario(
        api=api,
        clock=clock,
        standing=who,
        group_id=owner_joined["group"]["id"],
        owner=owner,
        target=owner,
        actor=owner,
    )
    scenario.target = await scenario.join("target")
    if who is Standing.OUTSIDER:
        data = await api.data(LOGIN, {"code": "actor"})
        scenario.actor = Player(data["login"]["token"], data["login"]["viewer"]["id"])
    elif who is not Standing.OWNER:
        scenario.actor = await scenario.join("actor")
    return scenario


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
