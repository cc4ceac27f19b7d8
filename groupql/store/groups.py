"""The `groups` collection: one document per WeChat chat (appid + openGId) or app group."""

from collections.abc import Sequence
from datetime import datetime

from pymongo import ReturnDocument

from groupql.store.database import Collection
from groupql.store.documents import Document, object_id, upsert
from groupql.store.records import Group, GroupKind


def _group(doc: Document) -> Group:
    return Group(
        id=str(doc["_id"]),
        appid=doc["appid"],
        open_gid=doc.get("openGId"),
        kind=GroupKind(doc["kind"]),
        chat_type=doc.get("chatType"),
        title=doc.get("title"),
        owner_id=doc["ownerId"],
        member_count=doc["memberCount"],
        last_seq=doc["lastSeq"],
        created_at=doc["createdAt"],
    )


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
                    "memberCount": 0,
                    "lastSeq": 0,
                    "createdAt": now,
                }
            },
        )
        return _group(doc), created

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        oids = [oid for oid in map(object_id, ids) if oid is not None]
        docs = await self._collection.find({"_id": {"$in": oids}}).to_list()
        by_id = {str(doc["_id"]): _group(doc) for doc in docs}
        return [by_id.get(id_) for id_ in ids]

    async def add_to_member_count(self, group_id: str, delta: int) -> None:
        await self._collection.update_one(
            {"_id": object_id(group_id)}, {"$inc": {"memberCount": delta}}
        )

    async def allocate_seq(self, group_id: str) -> int:
        """The group's next item seq; concurrent callers each get a distinct, increasing one."""
        doc = await self._collection.find_one_and_update(
            {"_id": object_id(group_id)},
            {"$inc": {"lastSeq": 1}},
            projection={"lastSeq": 1},
            return_document=ReturnDocument.AFTER,
        )
        seq: int = doc["lastSeq"]
        return seq
