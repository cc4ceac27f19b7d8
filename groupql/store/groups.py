"""The `groups` collection: one document per WeChat chat (appid + openGId) or app group."""

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from bson import ObjectId

from groupql.changes import Changes
from groupql.records import (
    Announcement,
    Group,
    GroupKind,
    GroupSettings,
    ItemType,
    JoinPolicy,
    Pin,
    PostPolicy,
    Role,
)
from groupql.store.collection import Collection
from groupql.store.documents import changed_document, get_many, object_id, upsert
from groupql.store.kept_reads import KeptReads, Unkept
from groupql.store.tables import (
    Table,
    enum_key,
    enum_set_key,
    id_key,
    inline_record,
    sub_record,
    sub_records,
)

SETTINGS = Table(
    GroupSettings,
    join_policy=enum_key(JoinPolicy, "joinPolicy"),
    post_policy=enum_key(PostPolicy, "postPolicy"),
    allowed_item_types=enum_set_key(ItemType, "allowedItemTypes"),
    members_can_invite="membersCanInvite",
    members_can_pin="membersCanPin",
    mention_all_roles=enum_set_key(Role, "mentionAllRoles"),
)
ANNOUNCEMENT = Table(Announcement, text="text", author_id="authorId", updated_at="updatedAt")
PIN = Table(Pin, item_id="itemId", pinned_by="pinnedBy", pinned_at="pinnedAt")
GROUPS = Table(
    Group,
    id=id_key(),
    appid="appid",
    open_gid="openGId",
    kind=enum_key(GroupKind, "kind"),
    chat_type="chatType",
    title="title",
    owner_id="ownerId",
    created_at="createdAt",
    settings=inline_record(SETTINGS),
    announcement=sub_record(ANNOUNCEMENT, "announcement"),
    pins=sub_records(PIN, "pins"),
)


class PinOutcome(Enum):
    PINNED = "pinned"
    ALREADY_PINNED = "already pinned"
    FULL = "full"


class Groups:
    def __init__(self, collection: Collection, kept: KeptReads[str, Group | None] | Unkept) -> None:
        self._collection = collection
        self._kept = kept

    async def find_or_create_for_chat(
        self,
        *,
        appid: str,
        open_gid: str,
        kind: GroupKind,
        chat_type: int | None,
        creator_id: str,
        now: datetime,
    ) -> tuple[Group, bool]:
        """The group of a WeChat chat, created with `creator_id` as owner if it is new."""
        new = Group(
            id=str(ObjectId()),
            appid=appid,
            open_gid=open_gid,
            kind=kind,
            chat_type=chat_type,
            title=None,
            owner_id=creator_id,
            created_at=now,
        )
        on_insert = GROUPS.document(new)
        key = {"appid": on_insert.pop("appid"), "openGId": on_insert.pop("openGId")}
        doc, created = await upsert(self._collection, key, {"$setOnInsert": on_insert})
        return GROUPS.record(doc), created

    async def create_app_group(
        self, *, appid: str, title: str, settings: GroupSettings, owner_id: str, now: datetime
    ) -> Group:
        group = Group(
            id=str(ObjectId()),
            appid=appid,
            open_gid=None,
            kind=GroupKind.APP_GROUP,
            chat_type=None,
            title=title,
            owner_id=owner_id,
            created_at=now,
            settings=settings,
        )
        # App groups have no openGId: a sparse document leaves the key out, so the unique
        # (appid, openGId) index, partial on openGId, leaves them out too (a null would collide
        # with every other app group under an index partial on the key's presence).
        doc = GROUPS.document(group)
        await self._collection.insert_one(doc)
        return group

    async def get_many(self, ids: Sequence[str], *, fresh: bool = False) -> list[Group | None]:
        """Groups by id, in one round trip (none when all are kept: store.kept_reads); `fresh`
        from the store itself (a check after a write, which must see a racing writer's)."""
        if fresh:
            return await self._read(ids)
        return await self._kept.get_many(ids, self._read)

    async def _read(self, ids: Sequence[str]) -> list[Group | None]:
        return await get_many(self._collection, ids, GROUPS.record)

    async def update(self, group_id: str, changes: Changes[Group]) -> Group | None:
        """Change only the fields `changes` names, so concurrent updates of others stay."""
        if changes.is_empty():  # nothing to change is a read, not a write
            [group] = await self.get_many([group_id])
            return group
        doc = await changed_document(
            self._collection, {"_id": object_id(group_id)}, {"$set": GROUPS.to_set(changes)}
        )
        return GROUPS.record(doc) if doc else None

    async def claim_ownership(
        self, group_id: str, *, from_owner: str | None, to_owner: str | None
    ) -> bool:
        """Move ownership only if `from_owner` still holds it: of racing claims, one wins."""
        result = await self._collection.update_one(
            {"_id": object_id(group_id), "ownerId": from_owner}, {"$set": {"ownerId": to_owner}}
        )
        return bool(result.modified_count == 1)

    async def pin(self, group_id: str, pin: Pin, *, max_pins: int) -> PinOutcome:
        # One conditional write keeps the limit under concurrency: the push happens only while
        # the item is not pinned and slot max_pins - 1 is still empty.
        result = await self._collection.update_one(
            {
                "_id": object_id(group_id),
                "pins.itemId": {"$ne": pin.item_id},
                f"pins.{max_pins - 1}": {"$exists": False},
            },
            {"$push": {"pins": PIN.document(pin)}},
        )
        if result.modified_count == 1:
            return PinOutcome.PINNED
        [group] = await self.get_many([group_id])
        if group is not None and any(p.item_id == pin.item_id for p in group.pins):
            return PinOutcome.ALREADY_PINNED
        return PinOutcome.FULL

    async def unpin(self, group_id: str, *, item_id: str) -> bool:
        """Unpin an item; whether it was pinned."""
        result = await self._collection.update_one(
            {"_id": object_id(group_id), "pins.itemId": item_id},
            {"$pull": {"pins": {"itemId": item_id}}},
        )
        return bool(result.modified_count == 1)
