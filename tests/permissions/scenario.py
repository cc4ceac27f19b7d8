"""The harness of the permission-table tests: a group, its owner, a target, and an actor about
to take the standing under test."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from groupql.services.permissions import Standing
from tests.actors import Member, User, join
from tests.conftest import Api, Clock
from tests.items.documents import POST
from tests.members.documents import LEAVE

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
    owner: Member
    target: Member
    actor: User
    standing_taken: bool = False

    @property
    def group_id(self) -> str:
        return self.owner.group_id

    @property
    def actor_is_member(self) -> bool:
        return self.standing is not Standing.OUTSIDER

    @property
    def own_author(self) -> User:
        """Who writes the actor's "own" items: the actor, unless they never were a member (an
        outsider has no items of their own, so theirs is the owner's)."""
        return self.actor if self.actor_is_member else self.owner

    async def as_actor(self, query: str, **variables: Any) -> dict[str, Any]:
        """The actor's whole response: allowed or refused, as the table says."""
        return await self.actor.send(query, **variables)

    async def post(self, author: User, type: str = "TEXT", **content: Any) -> dict[str, Any]:
        text = content.pop("text", f"{type.lower()} by {author.user_id}")
        item = {"groupId": self.group_id, "type": type, "text": text, **content}
        posted: dict[str, Any] = (await author.data(POST, input=item))["postItem"]
        return posted

    async def question_with_answer(self, asker: User) -> dict[str, str]:
        question = await self.post(asker, "QUESTION", text="Where do we meet?")
        answer = await self.post(self.owner, text="At the gate.", replyTo=question["id"])
        return {"questionId": question["id"], "answerId": answer["id"]}

    async def take_standing(self) -> None:
        """Move the actor, an active member until now, to the standing under test."""
        owner, actor = self.owner, self.actor
        match self.standing:
            case Standing.ADMIN:
                await owner.set_role(actor, "ADMIN")
            case Standing.MUTED:
                await owner.mute(actor, self.clock.now + timedelta(hours=1))
            case Standing.PENDING:
                await actor.data(LEAVE, groupId=self.group_id)
                await owner.update_group(joinPolicy="APPROVAL")
                self.actor = await join(self.api, "actor")
            case Standing.BANNED:
                await owner.remove(actor, ban=True)
            case Standing.FORMER:
                await actor.data(LEAVE, groupId=self.group_id)
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
        data = await self.owner.data(MEMBERS, id=self.group_id, status=status)
        nodes = data["group"]["members"]["edges"]
        mine = [e["node"] for e in nodes if e["node"]["user"]["id"] == self.actor.user_id]
        assert [(n["role"], n["isMuted"]) for n in mine] == [(role, is_muted)], (
            f"setting up {self.standing.name} failed: {nodes}"
        )
