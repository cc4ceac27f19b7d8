"""A running app seeded with one group page: 20 members, 20 items, and the query that reads it."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from starlette.applications import Starlette

from groupql.app import create_app
from groupql.config import Settings
from groupql.context import Context
from groupql.wechat.code2session import dev_session_for_code
from groupql.wechat.crypto import encrypt_wechat_data

PAGE_SIZE = 20
OPEN_GID = "G-bench"
SECRET_KEY = "bench-secret-key-0123456789abcdef0123456789"
APPID = "wxbenchapp0000001"

GROUP_PAGE = """
query GroupPage($id: ID!, $first: Int) {
  group(id: $id) {
    id openGId kind title memberCount lastSeq
    members(first: $first) {
      edges { cursor node { id role status joinedAt user { id } } }
      pageInfo { hasNextPage endCursor }
    }
    items(first: $first) {
      edges { cursor node { id seq type text createdAt author { id } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

LOGIN = "mutation($code: String!) { login(code: $code) { token } }"
JOIN = """
mutation($encryptedData: String!, $iv: String!) {
  resolveShareTicket(encryptedData: $encryptedData, iv: $iv) { group { id } }
}
"""
POST = (
    'mutation($g: ID!) { postItem(input: {groupId: $g, text: "hello from the benchmark"}) { seq } }'
)


@dataclass(frozen=True)
class SeededFeed:
    app: Starlette
    http: httpx.AsyncClient
    token: str
    variables: dict[str, Any]

    def context(self) -> Context:
        return Context(services=self.app.state.services, authorization=f"Bearer {self.token}")


@asynccontextmanager
async def seeded_feed() -> AsyncIterator[SeededFeed]:
    """The real app on the in-memory store, seeded through its own GraphQL endpoint."""
    # One address logs in every member: the rate limits (tests/test_rate_limits.py) stay off.
    settings = Settings(
        secret_key=SECRET_KEY,
        wechat_appid=APPID,
        mongodb_url="memory://",
        rate_logins_per_min=0,
        rate_anonymous_per_min=0,
        # Each read runs: what these benchmarks measure is running it (http_compare measures
        # the response cache).
        response_cache="off",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.bench") as http:
            tokens, group_id = await _seed(http, settings)
            yield SeededFeed(
                app=app,
                http=http,
                token=tokens[0],
                variables={"id": group_id, "first": PAGE_SIZE},
            )


async def _seed(http: httpx.AsyncClient, settings: Settings) -> tuple[list[str], str]:
    tokens: list[str] = []
    group_id = ""
    for n in range(PAGE_SIZE):
        code = f"bench-user-{n}"
        token = (await graphql_data(http, LOGIN, {"code": code}))["login"]["token"]
        ticket = share_ticket(code, settings.wechat_appid, OPEN_GID)
        joined = await graphql_data(http, JOIN, ticket, token=token)
        group_id = joined["resolveShareTicket"]["group"]["id"]
        tokens.append(token)
    for token in tokens:
        await graphql_data(http, POST, {"g": group_id}, token=token)
    return tokens, group_id


def share_ticket(code: str, appid: str, open_gid: str) -> dict[str, str]:
    """What wx.getShareInfo gives the dev-mode user who logged in with `code`."""
    body = {
        "openGId": open_gid,
        "watermark": {"appid": appid, "timestamp": int(datetime.now(UTC).timestamp())},
    }
    session_key = dev_session_for_code(code, appid).session_key
    encrypted_data, iv = encrypt_wechat_data(body, session_key)
    return {"encryptedData": encrypted_data, "iv": iv}


async def graphql_data(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], *, token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL request failed: {response.status_code} {body}")
    data: dict[str, Any] = body["data"]
    return data
