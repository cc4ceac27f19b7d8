"""Photos are checked by WeChat (mediaCheckAsync) before anyone else sees them: an item that
shows one waits for the verdict, which WeChat pushes to /wechat/push."""

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from tests.actors import Member, login
from tests.conftest import Api, Clock, api_on_test_store
from tests.fakes.wechat import (
    FAKE_APPID,
    FAKE_ENCODING_AES_KEY,
    FAKE_PUSH_TOKEN,
    FAKE_SECRET,
    FakeWeChat,
    push_request,
)
from tests.uploads.photos import phone_photo
from tests.uploads.test_uploads import COMPLETE, send_file, ticket

POST = """
mutation($input: PostItemInput!) { postItem(input: $input) { id reviewStatus media { id } } }
"""
FEED = """
query($id: ID!) {
  group(id: $id) {
    items { edges { node { id reviewStatus media { id } } } }
    album { edges { node { item { id } } } }
  }
}
"""
INVITE = "mutation($groupId: ID!) { createInvite(groupId: $groupId) { code } }"
JOIN = "mutation($code: String!) { joinByInvite(code: $code) { group { id } } }"


@asynccontextmanager
async def checked_app(clock: Clock, fake: FakeWeChat) -> AsyncIterator[Api]:
    async with api_on_test_store(
        clock,
        wechat_mode="live",
        wechat_appid=FAKE_APPID,
        wechat_secret=FAKE_SECRET,
        wechat_api_base=fake.base_url,
        wechat_push_token=FAKE_PUSH_TOKEN,
        wechat_push_aes_key=FAKE_ENCODING_AES_KEY,
        public_url="https://api.example.com",
    ) as api:
        yield api


async def owner_and_reader(api: Api, fake: FakeWeChat) -> tuple[Member, Member]:
    for code in ("owner", "reader"):
        fake.add_code(code, f"openid-{code}")
    owner = await (await login(api, "owner")).create_group("Album")
    code = (await owner.data(INVITE, groupId=owner.group_id))["createInvite"]["code"]
    reader_user = await login(api, "reader")
    await reader_user.data(JOIN, code=code)
    reader = Member(api, "reader", reader_user.token, reader_user.user_id, owner.group_id, {})
    return owner, reader


async def post_photo(owner: Member) -> tuple[dict[str, Any], dict[str, Any]]:
    photo = phone_photo()
    upload = await ticket(owner, photo)
    await send_file(owner.api, upload, photo)
    media = (await owner.data(COMPLETE, id=upload["id"]))["completeUpload"]
    posted = await owner.data(
        POST, input={"groupId": owner.group_id, "type": "IMAGE", "mediaIds": [media["id"]]}
    )
    return media, posted["postItem"]


async def verdict(api: Api, fake: FakeWeChat, trace_id: str, suggest: str) -> None:
    body, params = push_request(
        fake.media_verdict(trace_id, suggest),
        encoding_aes_key=FAKE_ENCODING_AES_KEY,
        timestamp=str(int(time.time())),
    )
    answered = await api.http.post("/wechat/push", params=params, content=body)
    assert answered.text == "success"


async def seen(reader: Member) -> dict[str, Any]:
    group: dict[str, Any] = (await reader.data(FEED, id=reader.group_id))["group"]
    return group


async def test_a_photo_waits_for_wechat_and_shows_when_it_passes(
    clock: Clock, fake_wechat: FakeWeChat
) -> None:
    async with checked_app(clock, fake_wechat) as api:
        owner, reader = await owner_and_reader(api, fake_wechat)
        media, item = await post_photo(owner)
        [asked] = fake_wechat.media_check_calls
        assert asked["body"]["media_url"].startswith("https://api.example.com/media/groups/")
        assert (asked["body"]["openid"], asked["body"]["media_type"]) == ("openid-owner", 2)
        assert item["reviewStatus"] == "PENDING_REVIEW"
        group = await seen(reader)
        assert group["items"]["edges"][0]["node"]["media"] == []
        assert group["album"]["edges"] == []

        [trace_id] = fake_wechat.media_traces()
        await verdict(api, fake_wechat, trace_id, "pass")
        await verdict(api, fake_wechat, trace_id, "pass")  # WeChat's retry changes nothing
        group = await seen(reader)
        [shown] = group["items"]["edges"]
        assert shown["node"]["reviewStatus"] == "PUBLISHED"
        assert shown["node"]["media"] == [{"id": media["id"]}]
        assert group["album"]["edges"] == [{"node": {"item": {"id": item["id"]}}}]


async def test_a_risky_photo_is_refused_with_its_item_and_cannot_be_posted_again(
    clock: Clock, fake_wechat: FakeWeChat
) -> None:
    async with checked_app(clock, fake_wechat) as api:
        owner, reader = await owner_and_reader(api, fake_wechat)
        media, _ = await post_photo(owner)
        [trace_id] = fake_wechat.media_traces()
        await verdict(api, fake_wechat, trace_id, "risky")
        [shown] = (await seen(owner))["items"]["edges"]
        assert shown["node"]["reviewStatus"] == "REJECTED"
        assert (await seen(reader))["items"]["edges"][0]["node"]["media"] == []
        code = await owner.error_code(
            POST, input={"groupId": owner.group_id, "type": "IMAGE", "mediaIds": [media["id"]]}
        )
        assert code == "CONTENT_REJECTED"


async def test_a_photo_wechat_wants_reviewed_goes_to_the_admins(
    clock: Clock, fake_wechat: FakeWeChat
) -> None:
    async with checked_app(clock, fake_wechat) as api:
        owner, _ = await owner_and_reader(api, fake_wechat)
        _, item = await post_photo(owner)
        [trace_id] = fake_wechat.media_traces()
        await verdict(api, fake_wechat, trace_id, "review")
        queue = await owner.data(
            "query($id: ID!) { group(id: $id) { reviewQueue { edges { node { id } } } } }",
            id=owner.group_id,
        )
        assert queue["group"]["reviewQueue"]["edges"] == [{"node": {"id": item["id"]}}]


async def test_an_avatar_wechat_finds_risky_comes_off_the_profile(
    clock: Clock, fake_wechat: FakeWeChat
) -> None:
    async with checked_app(clock, fake_wechat) as api:
        owner, _ = await owner_and_reader(api, fake_wechat)
        picture = phone_photo(color=(9, 9, 9))
        upload = await ticket(owner, picture, kind="AVATAR", groupId=None)
        await send_file(api, upload, picture)
        media = (await owner.data(COMPLETE, id=upload["id"]))["completeUpload"]
        profile = (
            "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { avatarUrl } }"
        )
        worn = await owner.data(profile, input={"avatarMediaId": media["id"]})
        assert worn["updateProfile"]["avatarUrl"] is not None
        [trace_id] = fake_wechat.media_traces()
        await verdict(api, fake_wechat, trace_id, "risky")
        after = await owner.data(profile, input={})
        assert after["updateProfile"]["avatarUrl"] is None


async def test_the_photo_says_where_its_check_stands(clock: Clock, fake_wechat: FakeWeChat) -> None:
    async with checked_app(clock, fake_wechat) as api:
        owner, _ = await owner_and_reader(api, fake_wechat)
        photo = phone_photo(color=(7, 7, 7))
        upload = await ticket(owner, photo)
        await send_file(api, upload, photo)
        status = "mutation($id: ID!) { completeUpload(id: $id) { id status } }"
        media = (await owner.data(status, id=upload["id"]))["completeUpload"]
        assert media["status"] == "PENDING_REVIEW"
        [trace_id] = fake_wechat.media_traces()
        await verdict(api, fake_wechat, trace_id, "pass")
        again = (await owner.data(status, id=upload["id"]))["completeUpload"]
        assert again == {"id": media["id"], "status": "PUBLISHED"}
