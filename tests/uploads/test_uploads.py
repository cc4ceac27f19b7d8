"""Uploads as a mini-program makes them: a ticket, the file as wx.uploadFile posts it
(multipart, the token in a header), then completeUpload, which believes only the bytes."""

import io
from typing import Any

import pytest
from PIL import Image

from tests.actors import Member, join, join_in_order, login
from tests.conftest import Api, Clock
from tests.uploads.photos import GPS_IFD, ORIENTATION, phone_photo, pixel_bomb, sha256

CREATE = """
mutation($input: CreateUploadInput!) {
  createUpload(input: $input) { id url method fileField headers formData expiresAt maxBytes }
}
"""
MEDIA = "id url thumbnailUrl large: thumbnailUrl(maxSide: 720) width height mime bytes"
COMPLETE = f"mutation($id: ID!) {{ completeUpload(id: $id) {{ {MEDIA} }} }}"
POST_PHOTO = f"""
mutation($input: PostItemInput!) {{ postItem(input: $input) {{ id media {{ {MEDIA} }} }} }}
"""
ALBUM = f"""
query($id: ID!) {{
  group(id: $id) {{ album(first: 10) {{ edges {{ node {{ media {{ {MEDIA} }} }} }} }} }}
}}
"""


async def ticket(by: Member, data: bytes, **overrides: Any) -> dict[str, Any]:
    input = {"groupId": by.group_id, "kind": "IMAGE", "mime": "image/jpeg",
             "bytes": len(data), "sha256": sha256(data), **overrides}  # fmt: skip
    created: dict[str, Any] = (await by.data(CREATE, input=input))["createUpload"]
    return created


async def send_file(api: Api, upload: dict[str, Any], data: bytes, **headers: str) -> Any:
    """What wx.uploadFile sends: multipart with the file under fileField, the ticket's headers."""
    return await api.http.post(
        upload["url"],
        files={upload["fileField"]: ("tmp_photo.jpg", data, "image/jpeg")},
        data=upload["formData"],
        headers={**upload["headers"], **headers},
    )


async def uploaded(by: Member, data: bytes) -> dict[str, Any]:
    upload = await ticket(by, data)
    sent = await send_file(by.api, upload, data)
    assert sent.status_code == 200, sent.text
    completed: dict[str, Any] = (await by.data(COMPLETE, id=upload["id"]))["completeUpload"]
    return completed


async def fetch(api: Api, url: str) -> bytes:
    response = await api.http.get(url)
    assert response.status_code == 200, response.text
    return response.content


async def test_a_phone_photo_comes_out_upright_without_where_it_was_taken(api: Api) -> None:
    owner = await join(api, "owner")
    photo = phone_photo(64, 32)
    upload = await ticket(owner, photo)
    assert upload["method"] == "POST" and upload["fileField"] == "file"
    assert upload["url"] == f"http://groupql.test/uploads/{upload['id']}"
    assert upload["maxBytes"] == len(photo)

    media = await uploaded(owner, photo)
    assert (media["width"], media["height"], media["mime"]) == (32, 64, "image/jpeg")
    stored = Image.open(io.BytesIO(await fetch(api, media["url"])))
    assert stored.size == (32, 64)
    exif = stored.getexif()
    assert ORIENTATION not in exif and not exif.get_ifd(GPS_IFD)
    thumbnail = Image.open(io.BytesIO(await fetch(api, media["thumbnailUrl"])))
    assert max(thumbnail.size) <= 240


async def test_an_uploaded_photo_is_posted_and_shows_in_the_album(api: Api) -> None:
    owner, member = await join_in_order(api, "owner", "member")
    media = await uploaded(owner, phone_photo(1200, 800))
    posted = await owner.data(
        POST_PHOTO, input={"groupId": owner.group_id, "type": "IMAGE", "mediaIds": [media["id"]]}
    )
    [shown] = posted["postItem"]["media"]
    assert shown["id"] == media["id"] and shown["bytes"] == media["bytes"]
    album = (await member.data(ALBUM, id=member.group_id))["group"]["album"]["edges"]
    [entry] = [edge["node"]["media"] for edge in album]
    small = Image.open(io.BytesIO(await fetch(api, entry["thumbnailUrl"])))
    large = Image.open(io.BytesIO(await fetch(api, entry["large"])))
    assert max(small.size) == 240 and max(large.size) == 720
    full = Image.open(io.BytesIO(await fetch(api, entry["url"])))
    assert full.size == (800, 1200)


async def test_the_same_photo_twice_is_one_file(api: Api) -> None:
    owner, member = await join_in_order(api, "owner", "member")
    photo = phone_photo()
    first = await uploaded(owner, photo)
    second = await uploaded(member, photo)
    assert first["id"] == second["id"]


async def test_a_ticket_takes_one_file_within_its_time(api: Api, clock: Clock) -> None:
    owner = await join(api, "owner")
    photo = phone_photo()
    upload = await ticket(owner, photo)
    assert (await send_file(api, upload, photo)).status_code == 200
    again = await send_file(api, upload, photo)
    assert again.status_code == 410
    assert again.json()["errors"][0]["extensions"]["code"] == "UPLOAD_EXPIRED"

    late = await ticket(owner, photo)
    clock.advance(minutes=16)
    expired = await send_file(api, late, photo)
    assert (expired.status_code, expired.json()["errors"][0]["extensions"]["code"]) == (
        410,
        "UPLOAD_EXPIRED",
    )


@pytest.mark.parametrize(
    "sent, status",
    [
        ("another token", 404),
        ("the wrong size", 400),
        ("the wrong bytes", 400),
    ],
)
async def test_the_file_must_be_the_one_the_ticket_names(api: Api, sent: str, status: int) -> None:
    owner = await join(api, "owner")
    photo = phone_photo()
    upload = await ticket(owner, photo)
    if sent == "another token":
        response = await send_file(api, upload, photo, **{"X-Upload-Token": "guess"})
    elif sent == "the wrong size":
        response = await send_file(api, upload, photo + b"\0")
    else:
        response = await send_file(api, upload, phone_photo(color=(0, 0, 255))[: len(photo)])
    assert response.status_code == status, response.text
    assert (await owner.send(COMPLETE, id=upload["id"]))["errors"][0]["extensions"]["code"] == (
        "BAD_USER_INPUT"  # nothing arrived
    )


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"MZ\x90\x00" + b"\0" * 2000, id="a program called photo.jpg"),
        pytest.param(phone_photo()[:400], id="a JPEG cut short"),
        pytest.param(pixel_bomb(), id="a pixel bomb"),
    ],
)
async def test_what_is_not_a_whole_image_is_refused(api: Api, data: bytes) -> None:
    owner = await join(api, "owner")
    upload = await ticket(owner, data)
    assert (await send_file(api, upload, data)).status_code == 200
    code = await owner.error_code(COMPLETE, id=upload["id"])
    assert code == "UNSUPPORTED_MEDIA"


async def test_only_members_upload_and_only_their_own_files_are_posted(api: Api) -> None:
    owner, member = await join_in_order(api, "owner", "member")
    outsider = await login(api, "outsider")
    photo = phone_photo()
    input = {"groupId": owner.group_id, "kind": "IMAGE", "mime": "image/jpeg",
             "bytes": len(photo), "sha256": sha256(photo)}  # fmt: skip
    assert await outsider.error_code(CREATE, input=input) == "FORBIDDEN"
    upload = await ticket(owner, photo)
    await send_file(api, upload, photo)
    assert await member.error_code(COMPLETE, id=upload["id"]) == "FORBIDDEN"
    media = (await owner.data(COMPLETE, id=upload["id"]))["completeUpload"]
    other_group = await member.join("G2")
    code = await other_group.error_code(
        POST_PHOTO,
        input={"groupId": other_group.group_id, "type": "IMAGE", "mediaIds": [media["id"]]},
    )
    assert code == "NOT_FOUND"


@pytest.mark.parametrize(
    "overrides",
    [
        {"bytes": 0},
        {"bytes": 21 * 1024 * 1024},
        {"sha256": "not-a-hash"},
        {"mime": "application/x-msdownload"},
    ],
)
async def test_a_ticket_for_an_impossible_file_is_refused(
    api: Api, overrides: dict[str, Any]
) -> None:
    owner = await join(api, "owner")
    input = {"groupId": owner.group_id, "kind": "IMAGE", "mime": "image/jpeg", "bytes": 10,
             "sha256": "a" * 64, **overrides}  # fmt: skip
    assert await owner.error_code(CREATE, input=input) == "BAD_USER_INPUT"


async def test_a_media_link_works_only_as_signed_and_for_a_while(api: Api, clock: Clock) -> None:
    owner = await join(api, "owner")
    media = await uploaded(owner, phone_photo())
    url = media["url"]
    tampered = url.replace("groups/", "groups/../")
    assert (await api.http.get(tampered)).status_code in (403, 404)
    assert (await api.http.get(url[:-3] + "abc")).status_code == 403
    clock.advance(seconds=api.settings.media_url_ttl_s + 1)
    assert (await api.http.get(url)).status_code == 403
