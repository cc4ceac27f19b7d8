"""An app in live mode that sends subscribe messages through the fake WeChat, and its people."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.actors import Member, User, login
from tests.conftest import Api, Clock, api_on_test_store
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, FakeWeChat
from tests.people.documents import POST_MENTIONING

MENTION_TEMPLATE = "tmpl-mention-0001"
MENTION_ALL_TEMPLATE = "tmpl-mention-all-02"
NEW_ITEMS_TEMPLATE = "tmpl-new-items-003"
TEMPLATES = {
    "MENTION": {
        "templateId": MENTION_TEMPLATE,
        "page": "pages/group/index?groupId={groupId}&itemId={itemId}",
        "data": {"thing1": "{group}", "name2": "{actor}", "thing3": "{text}", "time4": "{time}"},
    },
    "MENTION_ALL": {
        "templateId": MENTION_ALL_TEMPLATE,
        "data": {"thing1": "{group}", "thing2": "{text}"},
    },
    "NEW_ITEMS": {
        "templateId": NEW_ITEMS_TEMPLATE,
        "data": {"thing1": "{group}", "number2": "{count}"},
    },
}
DIGEST_S = 60
RECORD = """
mutation($results: [SubscribeResultInput!]!) {
  recordSubscription(results: $results) { templateId status credits }
}
"""
CREDITS = "{ viewer { messageSubscriptions { templateId status credits } } }"
CREATE_GROUP = "mutation($title: String!) { createGroup(input: {title: $title}) { id } }"
INVITE = "mutation($groupId: ID!) { createInvite(groupId: $groupId) { code } }"
JOIN = "mutation($code: String!) { joinByInvite(code: $code) { group { id } member { status } } }"


@dataclass
class Messaging:
    api: Api
    fake: FakeWeChat
    clock: Clock

    async def person(self, code: str) -> User:
        """Someone who logs in through the fake WeChat (their openid is "openid-<code>")."""
        self.fake.add_code(code, f"openid-{code}")
        return await login(self.api, code)

    async def group(self, owner_code: str, *codes: str) -> list[Member]:
        """An app group of `owner_code`, which the others join by invitation."""
        owner = await self.person(owner_code)
        group_id = (await owner.data(CREATE_GROUP, title="周末爬山"))["createGroup"]["id"]
        code = (await owner.data(INVITE, groupId=group_id))["createInvite"]["code"]
        members = [Member(owner.api, owner.code, owner.token, owner.user_id, group_id, {})]
        for one in codes:
            user = await self.person(one)
            await user.data(JOIN, code=code)
            members.append(Member(user.api, user.code, user.token, user.user_id, group_id, {}))
        return members

    async def sent(self, count: int, *, timeout_s: float = 5.0) -> list[dict[str, Any]]:
        """Wait until the fake WeChat has delivered `count` messages (and no more came)."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while len(self.fake.sent) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"{len(self.fake.sent)} messages sent, not {count}")
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # a few more background rounds: nothing else may come
        assert len(self.fake.sent) == count, self.fake.sent
        return list(self.fake.sent)

    async def rounds(self, count: int = 5) -> None:
        """Let the background job run a few times."""
        await asyncio.sleep(count * 0.03)


async def accept(user: User, *template_ids: str) -> list[dict[str, Any]]:
    results = [{"templateId": one, "status": "ACCEPT"} for one in template_ids]
    recorded: list[dict[str, Any]] = (await user.data(RECORD, results=results))[
        "recordSubscription"
    ]
    return recorded


async def credits(user: User) -> dict[str, int]:
    ledger = (await user.data(CREDITS))["viewer"]["messageSubscriptions"]
    return {one["templateId"]: one["credits"] for one in ledger}


async def mention(by: Member, *others: User, text: str = "明早七点出发") -> dict[str, Any]:
    posted = await by.data(
        POST_MENTIONING,
        input={"groupId": by.group_id, "text": text, "mentions": [o.user_id for o in others]},
    )
    return posted["postItem"]  # type: ignore[no-any-return]


@asynccontextmanager
async def messaging(
    clock: Clock, fake: FakeWeChat, tmp_path: Path, **overrides: Any
) -> AsyncIterator[Messaging]:
    templates = tmp_path / "templates.json"
    templates.write_text(json.dumps(TEMPLATES, ensure_ascii=False))
    settings: dict[str, Any] = {
        "wechat_mode": "live",
        "wechat_appid": FAKE_APPID,
        "wechat_secret": FAKE_SECRET,
        "wechat_api_base": fake.base_url,
        "subscribe_templates": templates,
        "subscribe_digest_s": DIGEST_S,
        "background_interval_s": 0.02,
        **overrides,
    }
    async with api_on_test_store(clock, **settings) as api:
        yield Messaging(api, fake, clock)
