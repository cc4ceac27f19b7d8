"""The harness of the permission-table tests: a group, its owner, a target, and an actor about
to take the standing under test."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from groupql.services.permissions import Standing
from tests.conftest import Api, Clock
from tests.members import LEAVE, MUTE, REMOVE, SET_ROLE, UPDATE_GROUP, Member, User

POST = """
mutation($groupId: ID!, $type: ItemType!, $text: String, $replyTo: ID, $poll: PollInput) {
  postItem(input: {groupId: $groupId, type: $type, text: $text, replyTo: $replyTo, poll: $poll}) {
    id poll { options { id } }
  }
}
"""
MEMBERS = """
query($id: ID!, $status: MemberStatus!) {
  group(id: $id) {
    members(status: $status, first: 100) { edges { node { role isMuted user { id } } } }
  }
}
"""


@dataclass
class Scenario:
    """One group, and the actor about to take `standing` in it."""

    api: Api
    clock: Clock
    standing: Standing
    group_id: str
    owner: User
    target: User
    actor: User
    standing_taken: bool = False

    @property
    def actor_is_member(self) -> bool:
        return self.standing is not Standing.OUTSIDER

    @property
    def own_author(self) -> User:
        """Who writes the actor's "own" items: the actor, unless they never were a member (an
        outsider has no items of their own, so theirs is the owner's)."""
        return self.actor if self.actor_is_member else self.owner

    async def as_actor(self, query: str, **variables: Any) -> dict[str, Any]:
        return await self.api.post(query, variables, token=self.actor.token)

    async def succeed(self, player: User, query: str, **variables: Any) -> dict[str, Any]:
        return await player.data(query, **variables)

    async def update_group(self, **settings: Any) -> None:
        await self.succeed(self.owner, UPDATE_GROUP, input={"groupId": self.group_id, **settings})

    async def post(self, author: User, type: str = "TEXT", **content: Any) -> dict[str, Any]:
        text = content.pop("text", f"{type.lower()} by {author.user_id}")
        variables = {"groupId": self.group_id, "type": type, "text": text, **content}
        item: dict[str, Any] = (await self.succeed(author, POST, **variables))["postItem"]
        return item

    async def question_with_answer(self, asker: User) -> dict[str, str]:
        question = await self.post(asker, "QUESTION", text="Where do we meet?")
        answer = await self.post(self.owner, text="At the gate.", replyTo=question["id"])
        return {"questionId": question["id"], "answerId": answer["id"]}

    async def ban(self, player: User) -> None:
        await self.succeed(
            self.owner, REMOVE, groupId=self.group_id, userId=player.user_id, ban=True
        )

    async def join(self, code: str) -> Member:
        return await Member.join(self.api, code)

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
