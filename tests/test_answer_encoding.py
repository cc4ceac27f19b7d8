"""Answers are JSON in UTF-8: Chinese text travels as itself, not as \\u escapes."""

from tests.actors import login
from tests.conftest import Api

RENAME = "mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { nickname } }"


async def test_chinese_text_is_answered_in_utf8_as_written(api: Api) -> None:
    alice = await login(api, "alice")

    response = await api.http.post(
        "/graphql",
        json={"query": RENAME, "variables": {"input": {"nickname": "小明 🐼"}}},
        headers={"Authorization": f"Bearer {alice.token}"},
    )

    assert response.headers["content-type"].startswith("application/json")
    assert response.content == '{"data":{"updateProfile":{"nickname":"小明 🐼"}}}'.encode()
