"""A whole session logged as JSON, scanned: no token, session key, secret key or Authorization
header ever reaches a log line."""

import asyncio
import re

from groupql.wechat.code2session import dev_session_for_code
from tests.actors import join
from tests.conftest import TEST_SECRET_KEY, Clock, serving
from tests.live.feeds import FEED
from tests.observability.json_logs import json_logs
from tests.ws_client import GraphQLSocket


async def test_a_whole_session_logs_no_secret(clock: Clock) -> None:
    with json_logs() as logs:
        async with serving(clock) as server:
            api = server.api
            owner = await join(api, "olivia")
            ticket = owner.share_ticket()
            socket = await GraphQLSocket.open(server.ws_url)
            await socket.init(owner.token)
            await socket.subscribe(FEED, {"groupId": owner.group_id})
            await asyncio.sleep(0.2)
            await owner.say("hello")
            assert (await socket.data())["groupFeed"]["item"]["text"] == "hello"
            await socket.close()
            assert await api.error_code("{ viewer { id } }", token="forged.token") == (
                "UNAUTHENTICATED"
            )
            refused = await GraphQLSocket.open(server.ws_url)
            init = {"authorization": "Bearer forged.token"}
            await refused.send({"type": "connection_init", "payload": init})
            assert (await refused.closed())[0] == 4401
            await asyncio.sleep(0.1)

    session_key = dev_session_for_code("olivia", api.settings.wechat_appid).session_key
    secrets = [owner.token, "forged.token", session_key, TEST_SECRET_KEY, ticket["encryptedData"]]
    leaks = [(secret, line) for line in logs.lines for secret in secrets if secret in line]
    assert leaks == []
    # A refusal may tell the client to send 'Authorization: Bearer <token>'; no real value.
    assert not [line for line in logs.lines if re.search(r"Bearer (?!<token>)", line)]
    operations = logs.objects("operation") + logs.objects("operation.end")
    assert len(operations) >= 4
    [started] = logs.objects("operation.start")
    assert (started["operation_type"], started["user_id"]) == ("subscription", owner.user_id)
