"""The `groups` collection: one document per WeChat chat (appid + openGId) or app group."""

from collections.abc import Sequence
from datetime import datetime

from groupql.store.database import Collection
from groupql.store.documents import Document, get_many, upsert
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
                    "createdAt": now,
                }
            },
        )
        return _group(doc), created

    async def get_many(self, ids: Sequence[str]) -> list[Group | None]:
        return await get_many(self._collection, ids, _group)
