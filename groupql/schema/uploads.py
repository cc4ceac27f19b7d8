"""Uploads: a ticket for wx.uploadFile, then the check that makes the file media."""

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from groupql import records
from groupql.context import Info
from groupql.schema.items import Media
from groupql.schema.serving import serve
from groupql.services.uploads import UploadTicket as TicketRecord
from groupql.services.uploads import media_entry

strawberry.enum(
    records.MediaKind,
    description="What an upload is for: a group's photo, video or file, or the viewer's avatar.",
)
TOKEN_HEADER = "X-Upload-Token"


@strawberry.type(
    description="How to send the file, as wx.uploadFile takes it: "
    "wx.uploadFile({url, filePath, name: fileField, header: headers, formData})."
)
class UploadTicket:
    id: strawberry.ID
    url: str
    method: str
    file_field: str
    headers: JSON = strawberry.field(description="Send these headers (the ticket's token).")
    form_data: JSON = strawberry.field(description="Send these form fields with the file.")
    expires_at: datetime
    max_bytes: int


@strawberry.input
class CreateUploadInput:
    group_id: strawberry.ID | None = strawberry.field(
        default=None, description="The group it is for (none for an AVATAR)."
    )
    kind: records.MediaKind
    mime: str = strawberry.field(description="What the client thinks it is; the bytes decide.")
    bytes: int = strawberry.field(description="Its exact size.")
    sha256: str = strawberry.field(description="Its SHA-256, 64 hex digits.")


@strawberry.type
class UploadMutation:
    @strawberry.mutation(description="A one-time ticket to upload one file, valid 15 minutes.")
    async def create_upload(self, info: Info, input: CreateUploadInput) -> UploadTicket:
        viewer = await info.context.viewer()
        ticket = await info.context.services.uploads.create(
            viewer,
            group_id=input.group_id,
            kind=input.kind,
            mime=input.mime,
            size=input.bytes,
            sha256=input.sha256,
        )
        return _ticket(info, ticket)

    @strawberry.mutation(
        description="Check the file that arrived (size, SHA-256, its real type; images are "
        "decoded, turned upright, stripped of EXIF/GPS, thumbnailed) and keep it; pass its id "
        "in PostItemInput.mediaIds."
    )
    async def complete_upload(self, info: Info, id: strawberry.ID) -> Media:
        viewer = await info.context.viewer()
        stored = await info.context.services.uploads.complete(viewer, id)
        return serve(Media, media_entry(stored))


def _ticket(info: Info, ticket: TicketRecord) -> UploadTicket:
    upload = ticket.upload
    if ticket.form is not None:
        url, field, form, headers = ticket.form.url, ticket.form.file_field, ticket.form.fields, {}
    else:
        url = f"{info.context.public_url}/uploads/{upload.id}"
        field, form, headers = "file", {}, {TOKEN_HEADER: ticket.token}
    return UploadTicket(
        id=strawberry.ID(upload.id),
        url=url,
        method="POST",
        file_field=field,
        headers=cast(JSON, headers),
        form_data=cast(JSON, form),
        expires_at=upload.expires_at,
        max_bytes=ticket.max_bytes,
    )
