"""An avatar uploaded like any photo, then shown wherever the user appears."""

import io

from PIL import Image

from tests.actors import join_in_order
from tests.conftest import Api
from tests.uploads.photos import phone_photo, sha256
from tests.uploads.test_uploads import COMPLETE, fetch, send_file

PROFILE = """
mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { avatarUrl } }
"""
MEMBERS = (
    "query($id: ID!) { group(id: $id) { members { edges { node { user { id avatarUrl } } } } } }"
)
CREATE = (
    "mutation($input: CreateUploadInput!) "
    "{ createUpload(input: $input) { id url fileField headers formData } }"
)


async def test_an_uploaded_avatar_shows_wherever_the_user_appears(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    picture = phone_photo(200, 200)
    input = {
        "kind": "AVATAR",
        "mime": "image/jpeg",
        "bytes": len(picture),
        "sha256": sha256(picture),
    }
    upload = (await alice.data(CREATE, input=input))["createUpload"]
    await send_file(api, upload, picture)
    media = (await alice.data(COMPLETE, id=upload["id"]))["completeUpload"]

    own = (await alice.data(PROFILE, input={"avatarMediaId": media["id"]}))["updateProfile"]
    members = (await bob.data(MEMBERS, id=bob.group_id))["group"]["members"]["edges"]
    seen = {edge["node"]["user"]["id"]: edge["node"]["user"]["avatarUrl"] for edge in members}
    assert seen[alice.user_id] is not None and seen[bob.user_id] is None
    for url in (own["avatarUrl"], seen[alice.user_id]):
        assert Image.open(io.BytesIO(await fetch(api, url))).size == (200, 200)

    replaced = await alice.data(PROFILE, input={"avatarUrl": "https://cdn.example/a.png"})
    assert replaced["updateProfile"]["avatarUrl"] == "https://cdn.example/a.png"


async def test_only_ones_own_uploaded_avatar_can_be_worn(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    picture = phone_photo()
    input = {
        "kind": "AVATAR",
        "mime": "image/jpeg",
        "bytes": len(picture),
        "sha256": sha256(picture),
    }
    upload = (await alice.data(CREATE, input=input))["createUpload"]
    await send_file(api, upload, picture)
    media = (await alice.data(COMPLETE, id=upload["id"]))["completeUpload"]
    assert await bob.error_code(PROFILE, input={"avatarMediaId": media["id"]}) == "NOT_FOUND"
    both = {"avatarMediaId": media["id"], "avatarUrl": "https://cdn.example/a.png"}
    assert await alice.error_code(PROFILE, input=both) == "BAD_USER_INPUT"
    photo = phone_photo(color=(1, 2, 3))
    group_photo = {"groupId": alice.group_id, "kind": "IMAGE", "mime": "image/jpeg",
                   "bytes": len(photo), "sha256": sha256(photo)}  # fmt: skip
    upload = (await alice.data(CREATE, input=group_photo))["createUpload"]
    await send_file(api, upload, photo)
    image = (await alice.data(COMPLETE, id=upload["id"]))["completeUpload"]
    assert await alice.error_code(PROFILE, input={"avatarMediaId": image["id"]}) == "NOT_FOUND"
