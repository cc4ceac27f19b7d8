"""Each parsed document is validated once (groupql/schema/validated.py), and a document that
fails validation is refused in full every time it comes back."""

from groupql.schema.validated import VALIDATIONS
from tests.actors import login
from tests.conftest import Api


async def test_a_document_asked_again_is_not_validated_again(api: Api) -> None:
    alice = await login(api, "alice")
    # A text no other test sends, so that its first request is this test's.
    query = "query ValidatedOnce { myGroups { edges { node { id title } } } }"
    misses = VALIDATIONS.misses

    answers = [await alice.send(query) for _ in range(3)]

    assert answers == [{"data": {"myGroups": {"edges": []}}}] * 3
    assert VALIDATIONS.misses == misses + 1


async def test_an_invalid_document_is_refused_with_all_its_errors_every_time(api: Api) -> None:
    alice = await login(api, "alice")
    query = "query Twice { myGroups { nope } viewer { alsoNope } }"

    bodies = [await alice.send(query) for _ in range(3)]

    messages = [[error["message"] for error in body["errors"]] for body in bodies]
    assert messages[0] == messages[1] == messages[2]
    assert len(messages[0]) == 2, messages[0]
    assert all("nope" in message.lower() for message in messages[0])
    assert all("data" not in body for body in bodies)
