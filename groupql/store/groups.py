"""The `groups` collection: one document per WeChat chat (appid + openGId) or app group."""

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from bson import ObjectId
from pymongo import ReturnDocument

from groupql.store.database import Collection
from groupql.store.documents import Document, get_many, object_id, upsert
from groupql.store.records import (
    UNCHANGED,
    Announcement,
    Group,
    GroupChanges,
    GroupKind,
    GroupSettings,
    ItemType,
    JoinPolicy,
    Pin,
    PostPolicy,
)

_DEFAULTS = GroupSettings()


class PinOutcome(Enum):
    PINNED = "pinned"
    ALREADY_PINNED = "already pinned"
    FULL = "full"


def _settings(doc: Document) -> GroupSettings:
    return GroupSettings(
        join_policy=JoinPolicy(doc.get("joinPolicy", _DEFAULTS.join_policy.value)),
        post_policy=PostPolicy(doc.get("postPolicy", _DEFAULTS.post_policy.value)),
        allowed_item_types=frozenset(
            ItemType(value) for value in doc.get("allowedItemTypes", [t.value for t in ItemType])
        ),
        members_can_invite=doc.get("membersCanInvite", _DEFAULTS.members_can_invite),
        members_can_pin=doc.get("membersCanPin", _DEFAULTS.members_can_pin),
    )


def _group(doc: Document) -> Group:
    announcement = doc.get("announcement")
    return Group(
        id=str(doc["_id"]),
        appid=doc["appid"],
        open_gid=doc.get("openGId"),
        kind=GroupKind(doc["kind"]),
        chat_type=doc.get("chatType"),
        title=doc.get("title"),
        owner_id=doc.get("ownerId"),
        created_at=doc["createdAt"],
        settings=_settings(doc),
        announcement=Announcement(
            text=announcement["text"],
            author_id=announcement["authorId"],
            updated_at=announcement["updatedAt"],
        )
        if announcement
        else None,
        pins=tuple(
            Pin(item_id=pin["itemId"], pinned_by=pin["pinnedBy"], pinned_at=pin["pinnedAt"])
            for pin in doc.get("pins", [])
        ),
    )


def settings_document(settings: GroupSettings) -> Document:
    return {
        "joinPolicy": settings.join_policy.value,
        "postPolicy": settings.post_policy.value,
        "allowedItemTypes": sorted(t.value for t in settings.allowed_item_types),
        "membersCanInvite": settings.members_can_invite,
        "membersCanPin": settings.members_can_pin,
    }


class Groups:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

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
        doc, created = await upsert(
            self._collection,
            {"appid": appid, "openGId": open_gid},
            {
                "$setOnInsert": {
                    "kind": kind.value,
                    "chatType": chat_type,
                    "title": None,
                    "ownerId": creator_id,
                    "createdAt": now,
                    **settings_document(_DEFAULTS),
                }
            },
        )
        return _group(doc), created

    async def create_app_group(
        self, *, appid: str, title: str, settings: GroupSettings, owner_id: str, now: datetime
    ) -> Group:
        doc: Document = {
            "_id": ObjectId(),
            "appid": appid,
            "kind": GroupKind.APP_GROUP.value,
            "chatType": None,
            "title": title,
            "ownerId": owner_id,
            "createdAt": now,
            **settings_document(settings),
        }
        await self._collection.insert_one(doc)
        return _group(doc)

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        return await get_many(self._collection, ids, _group)

    async def update(
        self, group_id: str, changes: GroupChanges, *, by: str, now: datetime
    ) -> Group | None:
        """Change only the fields `changes` names, so concurrent updates of others stay."""
        announcement: object = changes.announcement
        if isinstance(announcement, str):
            announcement = {"text": announcement, "authorId": by, "updatedAt": now}
        to_set: Document = {}
        to_unset: Document = {}
        for key, value in [("title", changes.title), ("announcement", announcement)]:
            if value is None:
                to_unset[key] = ""
            elif value is not UNCHANGED:
                to_set[key] = value
        settings = {
            "joinPolicy": changes.join_policy and changes.join_policy.value,
            "postPolicy": changes.post_policy and changes.post_policy.value,
            "allowedItemTypes": changes.allowed_item_types
            and sorted(t.value for t in changes.allowed_item_types),
            "membersCanInvite": changes.members_can_invite,
            "membersCanPin": changes.members_can_pin,
        }
        to_set.update({key: value for key, value in settings.items() if value is not None})
        update = {
            **({"$set": to_set} if to_set else {}),
            **({"$unset": to_unset} if to_unset else {}),
        }
        if not update:  # MongoDB refuses an empty update: nothing to change is a read
            [group] = await self.get_many([group_id])
            return group
        doc = await self._collection.find_one_and_update(
            {"_id": object_id(group_id)}, update, return_document=ReturnDocument.AFTER
        )
        return _group(doc) if doc else None

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
            {
                "$push": {
                    "pins": {
                        "itemId": pin.item_id,
                        "pinnedBy": pin.pinned_by,
                        "pinnedAt": pin.pinned_at,
                    }
                }
            },
        )
        if result.modified_count == 1:
            return PinOutcome.PINNED
        [group] = await self.get_many([group_id])
        if group is not None and any(p.item_id == pin.item_id for p in group.pins):
            return PinOutcome.ALREADY_PINNED
        return PinOutcome.FULL

    async def unpin(self, group_id: str, item_id: str) -> bool:
        """Unpin an item; whether it was pinned."""
        result = await self._collection.update_one(
            {"_id": object_id(group_id), "pins.itemId": item_id},
            {"$pull": {"pins": {"itemId": item_id}}},
        )
        return bool(result.modified_count == 1)
