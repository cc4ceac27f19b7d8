"""Members only: a pending member sees the group's face, never its life.

The walk proves it for every field the schema has, however it grows; the probes show a client
sees the same: the face answers a pending member, the rest is refused to them and answers members.
"""

from typing import Any, cast

import pytest
from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    get_named_type,
    is_abstract_type,
    is_non_null_type,
    is_object_type,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter

from groupql.schema import schema
from groupql.schema.guard import MembersOnly
from tests.actors import Member, join, login
from tests.conftest import Api
from tests.items.documents import image

# What a join-request screen needs, as GraphQL coordinates. Adding one here is a decision that
# pending members (and anyone who may become one) may read it: docs/collaboration.md says which.
PENDING_MEMBER_MAY_READ = {
    "Group.id", "Group.openGId", "Group.kind", "Group.chatType", "Group.title",
    "Group.joinPolicy", "Group.postPolicy", "Group.allowedItemTypes", "Group.membersCanInvite",
    "Group.membersCanPin", "Group.createdAt", "Group.memberCount", "Group.viewerMembership",
    "Member.id", "Member.role", "Member.status", "Member.joinedAt", "Member.groupOpenid",
    "Member.mutedUntil", "Member.isMuted", "Member.user",
    # Their own display name, nickname and avatar: what they chose themselves (notification
    # level and steps opt-in: their own membership's only).
    "Member.displayName", "Member.notificationLevel", "Member.ranksSteps", "User.id",
    "User.nickname", "User.avatarUrl",
}  # fmt: skip

GRAPHQL = schema._schema
GROUP = cast(GraphQLObjectType, GRAPHQL.get_type("Group"))
FACE = [name for name in GROUP.fields if f"Group.{name}" in PENDING_MEMBER_MAY_READ]
LIFE = [name for name in GROUP.fields if f"Group.{name}" not in PENDING_MEMBER_MAY_READ]


def is_guarded(field: GraphQLField) -> bool:
    """Whether the strawberry field behind `field` carries the MembersOnly extension."""
    definition = field.extensions[GraphQLCoreConverter.DEFINITION_BACKREF]
    return any(isinstance(extension, MembersOnly) for extension in definition.extensions)


def object_types(field_type: GraphQLOutputType) -> list[GraphQLObjectType]:
    """The object types a field's value can be, through lists, non-nulls, unions and interfaces.
    Connections are object types of their own in the built schema (MemberConnection...)."""
    named = get_named_type(field_type)
    if is_abstract_type(named):
        return list(GRAPHQL.get_possible_types(named))
    return [named] if is_object_type(named) else []


def unguarded_reach() -> set[str]:
    """Coordinates of every field a query can reach from Group without crossing a guard."""
    reached: set[str] = set()
    walked: set[str] = set()
    to_walk = [GROUP]
    while to_walk:
        parent = to_walk.pop()
        if parent.name in walked:
            continue
        walked.add(parent.name)
        for name, field in parent.fields.items():
            if is_guarded(field):
                continue  # what lies below a guard is guarded with it
            reached.add(f"{parent.name}.{name}")
            to_walk.extend(object_types(field.type))
    return reached


def selection(field_type: GraphQLOutputType, walked: frozenset[str] = frozenset()) -> str:
    """A valid selection on a field of `field_type`: `__typename` and every allow-listed field
    below it ("" for scalars and enums)."""
    named = get_named_type(field_type)
    if not is_object_type(named) and not is_abstract_type(named):
        return ""
    fields = ["__typename"]
    if isinstance(named, GraphQLObjectType) and named.name not in walked:
        fields += [
            name + selection(field.type, walked | {named.name})
            for name, field in named.fields.items()
            if f"{named.name}.{name}" in PENDING_MEMBER_MAY_READ
        ]
    return " { " + " ".join(fields) + " }"


# A value for each required argument of a Group field (a new one must be added here).
_REQUIRED_VALUES = {("search", "query"): '"probe"', ("ranking", "metric"): '"steps"'}


def reading(name: str) -> str:
    """A query of one field of a group, with a value for each argument it requires."""
    field = GROUP.fields[name]
    required = [
        f"{argument}: {_REQUIRED_VALUES[(name, argument)]}"
        for argument, spec in field.args.items()
        if is_non_null_type(spec.type) and spec.default_value is Undefined
    ]
    arguments = f"({', '.join(required)})" if required else ""
    return f"query($id: ID!) {{ group(id: $id) {{ {name}{arguments}{selection(field.type)} }} }}"


def read(answer: dict[str, Any], name: str) -> Any:
    """The field `name` of the group in `answer`, None where errors nulled it or the group."""
    return ((answer.get("data") or {}).get("group") or {}).get(name)


def test_every_field_a_pending_member_can_reach_is_on_the_allow_list() -> None:
    unlisted = sorted(unguarded_reach() - PENDING_MEMBER_MAY_READ)
    assert not unlisted, (
        f"{', '.join(unlisted)}: reachable from Group without the MembersOnly guard, so pending "
        "members can read it. Guard it (leave it out of SUMMARY in groupql/schema/groups.py) or "
        "add it to PENDING_MEMBER_MAY_READ deliberately."
    )


def test_the_allow_list_names_only_fields_a_pending_member_can_reach() -> None:
    stale = sorted(PENDING_MEMBER_MAY_READ - unguarded_reach())
    assert not stale, (
        f"{', '.join(stale)}: on PENDING_MEMBER_MAY_READ but not in the schema or not reachable "
        "from Group unguarded; take it off the list."
    )


def test_the_group_has_both_a_face_and_a_life() -> None:
    assert "viewerMembership" in FACE
    assert "announcement" in LIFE


@pytest.fixture
async def owner(api: Api) -> Member:
    """The owner of a group with a life: a post, a photo, a pin, an announcement, an invitation;
    then they ask newcomers to wait for approval."""
    owner = await join(api, "owner")
    await owner.pin(await owner.say("Meet at the north gate at 9."))
    await owner.post(type="IMAGE", media=[image()])
    await owner.update_group(announcement="Members only: the gate code is 4711.")
    await owner.create_invite()
    await owner.update_group(joinPolicy="APPROVAL")
    return owner


@pytest.fixture
async def newcomer(owner: Member) -> Member:
    """Carol, who opened the chat's share ticket after approval was asked for: pending."""
    carol = await join(owner.api, "carol")
    assert (await carol.membership())["status"] == "PENDING"
    return carol


@pytest.mark.parametrize("name", FACE)
async def test_a_pending_member_reads_the_groups_face(newcomer: Member, name: str) -> None:
    answer = await newcomer.send(reading(name), id=newcomer.group_id)
    assert "errors" not in answer, f"Group.{name} is allow-listed but refused: {answer['errors']}"
    assert name in answer["data"]["group"]


async def test_a_pending_member_reads_their_own_waiting_membership(newcomer: Member) -> None:
    answer = await newcomer.data(reading("viewerMembership"), id=newcomer.group_id)
    membership = answer["group"]["viewerMembership"]
    assert membership["status"] == "PENDING"
    assert membership["user"]["id"] == newcomer.user_id


@pytest.mark.parametrize("name", LIFE)
async def test_a_pending_member_is_refused_the_groups_life(newcomer: Member, name: str) -> None:
    answer = await newcomer.send(reading(name), id=newcomer.group_id)
    errors = answer.get("errors") or []
    assert errors, f"Group.{name} answered a pending member: {answer['data']}"
    assert errors[0]["extensions"]["code"] == "FORBIDDEN", errors
    assert errors[0]["path"] == ["group", name], errors
    assert read(answer, name) is None


@pytest.mark.parametrize("name", LIFE)
async def test_an_active_member_reads_the_groups_life(
    owner: Member, newcomer: Member, name: str
) -> None:
    # The owner, as an active member who may also moderate: invites are for admins only.
    answer = await owner.send(reading(name), id=owner.group_id)
    assert "errors" not in answer, f"Group.{name} refused an active member: {answer['errors']}"
    assert read(answer, name) is not None


async def test_an_outsider_cannot_open_the_group(owner: Member) -> None:
    dave = await login(owner.api, "dave")
    assert await dave.error_code(reading("id"), id=owner.group_id) == "FORBIDDEN"
