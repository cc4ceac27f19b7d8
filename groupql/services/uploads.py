"""Uploads: a one-time ticket (createUpload), the file (POST /uploads/{id}, what wx.uploadFile
sends), then the check (completeUpload) that makes it media an item can show.

The client's word decides nothing: the size and SHA-256 it announced must match what arrived,
the type comes from the bytes (magic numbers), and images are decoded within a pixel limit,
turned upright and re-encoded without EXIF/GPS, with thumbnails. A group keeps one file per
content: the same photo uploaded twice is one.
"""

import hashlib
import re
import secrets
from dataclasses import dataclass, replace
from datetime import timedelta

from bson import ObjectId

from groupql.errors import BadUserInput, Forbidden, NotFound, UnsupportedMedia, UploadExpired
from groupql.media.images import ImageTooLarge, NotAnImage, process_image_async, sniff
from groupql.media.storage import MediaMissing, MediaStore, UploadForm
from groupql.records import (
    Media,
    MediaKind,
    ReviewStatus,
    StoredMedia,
    Thumbnail,
    Upload,
    User,
)
from groupql.services.clock import Clock
from groupql.services.membership import MembershipService
from groupql.services.permissions import Action
from groupql.store import Store
from groupql.versions.reading import asked_time
from groupql.wechat.content_security import ContentSecurity, DevContentSecurity, Scene, Verdict

TICKET_TTL = timedelta(minutes=15)
# WeChat fetches a file it checks within 30 minutes of being asked.
_CHECK_URL_TTL_S = 3600
# The most each kind may weigh (a WeChat photo is a few MB; wx.uploadFile allows up to 100 MB...).
MAX_BYTES = {
    MediaKind.IMAGE: 20 * 1024 * 1024,
    MediaKind.AVATAR: 5 * 1024 * 1024,
    MediaKind.VIDEO: 100 * 1024 * 1024,
    MediaKind.FILE: 100 * 1024 * 1024,
}
THUMBNAIL_SIDES = (240, 720)
_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
_SHA256 = re.compile(r"[0-9a-f]{64}")
_EXTENSIONS = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    "video/mp4": "mp4",
    "video/quicktime": "mov",
    "application/pdf": "pdf",
}


@dataclass(frozen=True)
class UploadTicket:
    upload: Upload
    token: str
    # A form straight to object storage, or None: the file goes to groupql's /uploads/{id}.
    form: UploadForm | None
    max_bytes: int


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UploadService:
    def __init__(
        self,
        *,
        store: Store,
        media_store: MediaStore,
        membership: MembershipService,
        clock: Clock,
        url_ttl_s: int,
        security: ContentSecurity,
        fail_open: bool,
        public_url: str,
        dev_verdicts: DevContentSecurity | None = None,
    ) -> None:
        self._store = store
        self._security = security
        # Dev mode: no push will come, so the verdict is read at once.
        self._dev_verdicts = dev_verdicts
        self._fail_open = fail_open
        self._public_url = public_url.rstrip("/")
        self._files = media_store
        self._membership = membership
        self._clock = clock
        self._url_ttl_s = url_ttl_s

    async def create(
        self,
        viewer: User,
        *,
        group_id: str | None,
        kind: MediaKind,
        mime: str,
        size: int,
        sha256: str,
    ) -> UploadTicket:
        """A ticket to upload one file of `size` bytes with this SHA-256, valid 15 minutes."""
        if kind is MediaKind.AVATAR:
            group_id = None
        elif group_id is None:
            raise BadUserInput("Photos, videos and files go to a group: give 'groupId'.")
        else:
            (await self._membership.access(viewer, group_id)).require(Action.POST)
        if not 1 <= size <= MAX_BYTES[kind]:
            raise BadUserInput(f"A {kind.value} may weigh 1 to {MAX_BYTES[kind]} bytes.")
        sha256 = sha256.lower()
        if not _SHA256.fullmatch(sha256):
            raise BadUserInput("'sha256' must be the file's SHA-256 as 64 hex digits.")
        _check_claimed_type(kind, mime)
        token = secrets.token_urlsafe(32)
        now = self._clock()
        upload = Upload(
            id=str(ObjectId()),
            user_id=viewer.id,
            group_id=group_id,
            kind=kind,
            mime=mime,
            size=size,
            sha256=sha256,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + TICKET_TTL,
        )
        await self._store.uploads.create(upload)
        form = self._files.upload_form(
            _staging_key(upload),
            max_bytes=size,
            content_type=mime,
            expires_in_s=int(TICKET_TTL.total_seconds()),
        )
        return UploadTicket(upload=upload, token=token, form=form, max_bytes=size)

    async def receive(self, upload_id: str, token: str, data: bytes) -> Upload:
        """The file of a ticket, as POST /uploads/{id} got it; each ticket takes one file."""
        upload = await self._store.uploads.get(upload_id) if self._store.is_id(upload_id) else None
        if upload is None or not secrets.compare_digest(upload.token_hash, token_hash(token)):
            raise NotFound("No upload ticket has that id and token.")
        if upload.received_at is not None or upload.expires_at <= self._clock():
            raise UploadExpired()
        if len(data) != upload.size:
            raise BadUserInput(f"The ticket is for {upload.size} bytes; {len(data)} came.")
        if hashlib.sha256(data).hexdigest() != upload.sha256:
            raise BadUserInput("The file's SHA-256 is not the one the ticket names.")
        # Stored before it is marked: a file marked received is always there.
        await self._files.put(_staging_key(upload), data, upload.mime)
        received = await self._store.uploads.receive(upload, now=self._clock())
        if received is None:
            raise UploadExpired()
        return received

    async def complete(self, viewer: User, upload_id: str) -> StoredMedia:
        """Check the received file and keep it as media; the same answer when asked again."""
        upload = await self._store.uploads.get(upload_id) if self._store.is_id(upload_id) else None
        if upload is None:
            raise NotFound("No upload has that id.")
        if upload.user_id != viewer.id:
            raise Forbidden("That upload is someone else's.")
        if upload.media_id is not None:
            [done] = await self._store.media.get_many([upload.media_id])
            if done is not None:
                return done
        staging = _staging_key(upload)
        try:
            data = await self._files.get(staging)
        except MediaMissing:
            if upload.expires_at <= self._clock():
                raise UploadExpired() from None
            raise BadUserInput("No file arrived for that upload yet: send it first.") from None
        if len(data) != upload.size or hashlib.sha256(data).hexdigest() != upload.sha256:
            raise BadUserInput("The file that arrived is not the one the ticket names.")
        media = await self._keep(upload, data)
        await self._store.uploads.complete(upload, media_id=media.id)
        await self._files.delete(staging)
        return media

    def url(self, key: str) -> str:
        """A URL of a stored file, valid for a while (signed afresh each time it is read)."""
        asked_time()  # it expires: an answer holding it is not kept for long
        return self._files.url(key, expires_in_s=self._url_ttl_s)

    async def get_many(self, ids: list[str]) -> list[StoredMedia | None]:
        return await self._store.media.get_many(ids)

    async def _keep(self, upload: Upload, data: bytes) -> StoredMedia:
        known = await self._store.media.find(
            group_id=upload.group_id, owner_id=upload.user_id, sha256=upload.sha256
        )
        if known is not None:
            return known
        mime = sniff(data)
        if upload.kind in (MediaKind.IMAGE, MediaKind.AVATAR):
            if mime not in _IMAGE_TYPES:
                raise UnsupportedMedia("That file is not a JPEG, PNG, GIF or WebP image.")
            try:
                image = await process_image_async(data, thumbnail_sides=THUMBNAIL_SIDES)
            except ImageTooLarge:
                raise UnsupportedMedia("That image has too many pixels.") from None
            except NotAnImage:
                raise UnsupportedMedia("That image is damaged or cut short.") from None
            key = self._key(upload, image.mime)
            await self._files.put(key, image.data, image.mime)
            thumbnails = []
            for side, thumbnail in sorted(image.thumbnails.items()):
                thumbnail_key = f"{key.rsplit('.', 1)[0]}-{side}.jpg"
                await self._files.put(thumbnail_key, thumbnail, "image/jpeg")
                thumbnails.append(Thumbnail(side=side, key=thumbnail_key))
            review, trace_id = await self._check_image(upload, key)
            stored = replace(
                self._record(upload, image.mime, len(image.data), key),
                width=image.width,
                height=image.height,
                thumbnails=tuple(thumbnails),
                review=review,
                trace_id=trace_id,
            )
        else:
            if upload.kind is MediaKind.VIDEO and not (mime or "").startswith("video/"):
                raise UnsupportedMedia("That file is not an MP4 or QuickTime video.")
            real = mime or "application/octet-stream"
            key = self._key(upload, real)
            await self._files.put(key, data, real)
            stored = self._record(upload, real, len(data), key)
        kept, _ = await self._store.media.add(stored)
        return kept

    async def _check_image(self, upload: Upload, key: str) -> tuple[ReviewStatus, str | None]:
        """Ask WeChat to check the image (mediaCheckAsync): held until its verdict arrives at
        /wechat/push. Dev mode's verdict comes at once. When WeChat does not take the check, the
        image is held for an admin (or published, fail-open)."""
        [owner] = await self._store.users.get_many([upload.user_id])
        url = self._files.url(key, expires_in_s=_CHECK_URL_TTL_S)
        url = f"{self._public_url}{url}" if url.startswith("/") else url
        trace_id = None
        if owner is not None:
            trace_id = await self._security.check_media(
                openid=owner.openid, media_url=url, media_type="image", scene=Scene.FORUM
            )
        if trace_id is None:
            return (
                ReviewStatus.PUBLISHED if self._fail_open else ReviewStatus.PENDING_REVIEW
            ), None
        if self._dev_verdicts is not None:
            return _REVIEW_OF[self._dev_verdicts.settle(trace_id).verdict], None
        return ReviewStatus.PENDING_REVIEW, trace_id

    def _record(self, upload: Upload, mime: str, size: int, key: str) -> StoredMedia:
        return StoredMedia(
            id=str(ObjectId()),
            owner_id=upload.user_id,
            group_id=upload.group_id,
            kind=upload.kind,
            mime=mime,
            size=size,
            sha256=upload.sha256,
            key=key,
            created_at=self._clock(),
        )

    def _key(self, upload: Upload, mime: str) -> str:
        scope = f"groups/{upload.group_id}" if upload.group_id else f"avatars/{upload.user_id}"
        return f"{scope}/{upload.sha256}.{_EXTENSIONS.get(mime, 'bin')}"


# What a media check's verdict makes of the file.
_REVIEW_OF = {
    Verdict.PASS: ReviewStatus.PUBLISHED,
    Verdict.RISKY: ReviewStatus.REJECTED,
    Verdict.REVIEW: ReviewStatus.PENDING_REVIEW,
    Verdict.UNKNOWN: ReviewStatus.PENDING_REVIEW,
}


def media_entry(stored: StoredMedia) -> Media:
    """An uploaded file as an item shows it."""
    return Media(
        url="",
        mime=stored.mime,
        size=stored.size,
        width=stored.width,
        height=stored.height,
        duration_s=stored.duration_s,
        name=stored.name,
        media_id=stored.id,
        key=stored.key,
        thumbnails=stored.thumbnails,
    )


def _staging_key(upload: Upload) -> str:
    return f"uploads/{upload.id}"


def _check_claimed_type(kind: MediaKind, mime: str) -> None:
    """The client's type is only a first filter (the bytes decide later)."""
    if kind in (MediaKind.IMAGE, MediaKind.AVATAR) and not mime.startswith("image/"):
        raise BadUserInput(f"A {kind.value} upload is an image/* file.")
    if kind is MediaKind.VIDEO and not mime.startswith("video/"):
        raise BadUserInput("A VIDEO upload is a video/* file.")
    if len(mime) > 127 or "/" not in mime:
        raise BadUserInput("'mime' must be a media type such as image/jpeg.")
