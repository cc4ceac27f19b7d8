"""The `uploads` collection: one-time upload tickets; and `media`: the files they became.

A ticket is used once: receiving the file and completing it are each one conditional write, so
two requests racing with the same ticket store one file. A group's media are unique by their
SHA-256 (an avatar's by its owner's): the same photo uploaded twice is one file.
"""

from collections.abc import Sequence
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from groupql.changes import Changes
from groupql.records import MediaKind, ReviewStatus, StoredMedia, Upload
from groupql.store.collection import Collection
from groupql.store.documents import changed_document, get_many, object_id
from groupql.store.items import THUMBNAIL
from groupql.store.tables import Table, enum_key, id_key, sub_records

UPLOADS = Table(
    Upload,
    id=id_key(),
    user_id="userId",
    group_id="groupId",
    kind=enum_key(MediaKind, "kind"),
    mime="mime",
    size="size",
    sha256="sha256",
    token_hash="tokenHash",
    created_at="createdAt",
    expires_at="expiresAt",
    received_at="receivedAt",
    media_id="mediaId",
)
STORED_MEDIA = Table(
    StoredMedia,
    id=id_key(),
    owner_id="ownerId",
    group_id="groupId",
    kind=enum_key(MediaKind, "kind"),
    mime="mime",
    size="size",
    sha256="sha256",
    key="key",
    created_at="createdAt",
    width="width",
    height="height",
    duration_s="duration",
    name="name",
    thumbnails=sub_records(THUMBNAIL, "thumbnails"),
    review=enum_key(ReviewStatus, "review"),
    trace_id="traceId",
)


def scope_of(group_id: str | None, owner_id: str) -> str:
    """Where a file is unique: its group, or for an avatar its owner."""
    return group_id if group_id is not None else f"user:{owner_id}"


class Uploads:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def create(self, upload: Upload) -> None:
        await self._collection.insert_one(UPLOADS.document(upload))

    async def get(self, upload_id: str) -> Upload | None:
        [found] = await get_many(self._collection, [upload_id], UPLOADS.record)
        return found

    async def receive(self, upload: Upload, *, now: datetime) -> Upload | None:
        """Mark the ticket's file received; None if it was already (a ticket is used once)."""
        doc = await changed_document(
            self._collection,
            {"_id": object_id(upload.id), "receivedAt": None},
            {"$set": UPLOADS.to_set(Changes(Upload, received_at=now))},
        )
        return UPLOADS.record(doc) if doc else None

    async def complete(self, upload: Upload, *, media_id: str) -> Upload | None:
        """Record the file the upload became; None if another request completed it first."""
        doc = await changed_document(
            self._collection,
            {"_id": object_id(upload.id), "mediaId": None},
            {"$set": UPLOADS.to_set(Changes(Upload, media_id=media_id))},
        )
        return UPLOADS.record(doc) if doc else None


class MediaFiles:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def add(self, media: StoredMedia) -> tuple[StoredMedia, bool]:
        """Store a file's record, or find the one with the same content in its scope: the
        record and whether it is new."""
        doc = {**STORED_MEDIA.document(media), "scope": scope_of(media.group_id, media.owner_id)}
        try:
            await self._collection.insert_one(doc)
        except DuplicateKeyError:
            found = await self._collection.find_one({"scope": doc["scope"], "sha256": media.sha256})
            if found is None:
                raise
            return STORED_MEDIA.record(found), False
        return media, True

    async def find(self, *, group_id: str | None, owner_id: str, sha256: str) -> StoredMedia | None:
        doc = await self._collection.find_one(
            {"scope": scope_of(group_id, owner_id), "sha256": sha256}
        )
        return STORED_MEDIA.record(doc) if doc else None

    async def get_many(self, ids: Sequence[str]) -> list[StoredMedia | None]:
        return await get_many(self._collection, ids, STORED_MEDIA.record)

    async def by_trace(self, trace_id: str) -> StoredMedia | None:
        doc = await self._collection.find_one({"traceId": trace_id})
        return STORED_MEDIA.record(doc) if doc else None

    async def decide(self, media: StoredMedia, review: ReviewStatus) -> StoredMedia | None:
        """Record WeChat's verdict on a file still waiting for it; None if it was decided."""
        doc = await changed_document(
            self._collection,
            {"_id": object_id(media.id), "review": ReviewStatus.PENDING_REVIEW.value},
            {"$set": STORED_MEDIA.to_set(Changes(StoredMedia, review=review))},
        )
        return STORED_MEDIA.record(doc) if doc else None
