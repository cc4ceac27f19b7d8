"""Questions: members answer by replying, the asker or an admin accepts one answer."""

from typing import Any

from tests.conftest import Api
from tests.members import SET_ROLE, token_and_ids
from tests.schema.items import DELETE, POST

ACCEPT = """
mutation($questionId: ID!, $answerId: ID!) {
  acceptAnswer(questionId: $questionId, answerId: $answerId) {
    id acceptedAnswer { id text author { id } }
  }
}
"""
FEED = """
query($id: ID!) {
  group(id: $id) {
    items(first: 20) {
      edges {
        node {
          id type text replyCount acceptedAnswer { id }
          replies(first: 10) { edges { node { id text replyTo { id } } } }
        }
      }
    }
  }
}
"""


async def _post(
    api: Api, token: str, group_id: str, text: str, *, type: str = "TEXT", reply_to: str = ""
) -> dict[str, Any]:
    item_input = {"groupId": group_id, "type": type, "text": text}
    if reply_to:
        item_input["replyTo"] = reply_to
    item: dict[str, Any] = (await api.data(POST, {"input": item_input}, token=token))["postItem"]
    return item


async def _ask(api: Api, token: str, group_id: str, text: str = "Who has the keys?") -> str:
    question = await _post(api, token, group_id, text, type="QUESTION")
    assert question["type"] == "QUESTION"
    question_id: str = question["id"]
    return question_id


async def _answer(api: Api, token: str, group_id: str, question_id: str, text: str) -> str:
    answer = await _post(api, token, group_id, text, reply_to=question_id)
    assert answer["replyTo"] == {"id": question_id}
    answer_id: str = answer["id"]
    return answer_id


async def _accept(api: Api, token: str, question_id: str, answer_id: str) -> dict[str, Any]:
    variables = {"questionId": question_id, "answerId": answer_id}
    question: dict[str, Any] = (await api.data(ACCEPT, variables, token=token))["acceptAnswer"]
    return question


async def _question_seen_by(
    api: Api, token: str, group_id: str, question_id: str
) -> dict[str, Any]:
    """The question as it shows in the feed of the holder of `token`."""
    edges = (await api.data(FEED, {"id": group_id}, token=token))["group"]["items"]["edges"]
    question: dict[str, Any] = next(
        edge["node"] for edge in edges if edge["node"]["id"] == question_id
    )
    return question


async def test_members_answer_a_question_and_see_the_answers_oldest_first(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    carol, _, _ = await token_and_ids(api, "carol")
    question_id = await _ask(api, alice, group_id)
    first = await _answer(api, bob, group_id, question_id, "Bob has them")
    second = await _answer(api, carol, group_id, question_id, "No, Carol does")
    question = await _question_seen_by(api, bob, group_id, question_id)
    assert question["replyCount"] == 2
    assert question["acceptedAnswer"] is None
    replies = [edge["node"] for edge in question["replies"]["edges"]]
    assert [(reply["id"], reply["text"]) for reply in replies] == [
        (first, "Bob has them"),
        (second, "No, Carol does"),
    ]


async def test_the_asker_accepts_an_answer_and_may_accept_another_instead(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    carol, _, carol_id = await token_and_ids(api, "carol")
    question_id = await _ask(api, bob, group_id)
    wrong = await _answer(api, alice, group_id, question_id, "In the drawer")
    right = await _answer(api, carol, group_id, question_id, "I have them")
    accepted = await _accept(api, bob, question_id, wrong)
    assert accepted["id"] == question_id
    assert accepted["acceptedAnswer"]["id"] == wrong
    accepted = await _accept(api, bob, question_id, right)
    assert accepted["acceptedAnswer"] == {
        "id": right,
        "text": "I have them",
        "author": {"id": carol_id},
    }
    question = await _question_seen_by(api, alice, group_id, question_id)
    assert question["acceptedAnswer"] == {"id": right}


async def test_the_owner_or_an_admin_may_accept_an_answer_on_someone_elses_question(
    api: Api,
) -> None:
    owner, group_id, _ = await token_and_ids(api, "alice")
    admin, _, admin_id = await token_and_ids(api, "bob")
    carol, _, _ = await token_and_ids(api, "carol")
    dave, _, _ = await token_and_ids(api, "dave")
    await api.data(
        SET_ROLE, {"groupId": group_id, "userId": admin_id, "role": "ADMIN"}, token=owner
    )
    question_id = await _ask(api, carol, group_id)
    for token, text in [(owner, "Under the mat"), (admin, "In the car")]:
        answer_id = await _answer(api, dave, group_id, question_id, text)
        accepted = await _accept(api, token, question_id, answer_id)
        assert accepted["acceptedAnswer"]["id"] == answer_id


async def test_a_member_who_did_not_ask_cannot_accept_an_answer(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    carol, _, _ = await token_and_ids(api, "carol")
    question_id = await _ask(api, alice, group_id)
    answer_id = await _answer(api, bob, group_id, question_id, "Ask Carol")
    for token in (carol, bob):
        variables = {"questionId": question_id, "answerId": answer_id}
        assert await api.error_code(ACCEPT, variables, token=token) == "FORBIDDEN"
    assert (await _question_seen_by(api, alice, group_id, question_id))["acceptedAnswer"] is None


async def test_only_a_reply_to_the_question_can_be_its_answer(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    other_question = await _ask(api, alice, group_id, "Where is the car?")
    elsewhere = await _answer(api, bob, group_id, other_question, "In the garage")
    loose = (await _post(api, bob, group_id, "The keys are on the hook"))["id"]
    question_id = await _ask(api, alice, group_id)
    for answer_id in (elsewhere, loose, other_question, question_id):
        variables = {"questionId": question_id, "answerId": answer_id}
        assert await api.error_code(ACCEPT, variables, token=alice) == "BAD_USER_INPUT", answer_id
    assert (await _question_seen_by(api, alice, group_id, question_id))["acceptedAnswer"] is None


async def test_accepting_an_answer_on_an_item_that_is_not_a_question_is_bad_input(
    api: Api,
) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    statement = (await _post(api, alice, group_id, "The keys are lost"))["id"]
    reply = await _answer(api, bob, group_id, statement, "Found them")
    variables = {"questionId": statement, "answerId": reply}
    assert await api.error_code(ACCEPT, variables, token=alice) == "BAD_USER_INPUT"


async def test_a_question_needs_its_text(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    for text in (None, "", "  "):
        variables = {"input": {"groupId": group_id, "type": "QUESTION", "text": text}}
        assert await api.error_code(POST, variables, token=alice) == "BAD_USER_INPUT"


async def test_a_recalled_answer_no_longer_counts_as_a_reply(api: Api) -> None:
    alice, group_id, _ = await token_and_ids(api, "alice")
    bob, _, _ = await token_and_ids(api, "bob")
    question_id = await _ask(api, alice, group_id)
    await _answer(api, bob, group_id, question_id, "Bob has them")
    recalled = await _answer(api, bob, group_id, question_id, "Oops, wrong chat")
    await api.data(DELETE, {"itemId": recalled}, token=bob)
    assert (await _question_seen_by(api, alice, group_id, question_id))["replyCount"] == 1
