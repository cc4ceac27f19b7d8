"""Questions: members answer by replying, the asker or an admin accepts one answer."""

from typing import Any

from tests.actors import Member, join, join_in_order
from tests.conftest import Api
from tests.items.documents import DELETE
from tests.questions.documents import ACCEPT

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


async def _ask(asker: Member, text: str = "Who has the keys?") -> str:
    question = await asker.post(type="QUESTION", text=text)
    assert question["type"] == "QUESTION"
    question_id: str = question["id"]
    return question_id


async def _answer(member: Member, question_id: str, text: str) -> str:
    answer = await member.say(text, replyTo=question_id)
    assert answer["replyTo"] == {"id": question_id}
    answer_id: str = answer["id"]
    return answer_id


async def _accept(member: Member, question_id: str, answer_id: str) -> dict[str, Any]:
    data = await member.data(ACCEPT, questionId=question_id, answerId=answer_id)
    question: dict[str, Any] = data["acceptAnswer"]
    return question


async def _accept_error(member: Member, question_id: str, answer_id: str) -> str:
    return await member.error_code(ACCEPT, questionId=question_id, answerId=answer_id)


async def _question_seen_by(member: Member, question_id: str) -> dict[str, Any]:
    """The question as it shows in `member`'s feed."""
    edges = (await member.data(FEED, id=member.group_id))["group"]["items"]["edges"]
    question: dict[str, Any] = next(
        edge["node"] for edge in edges if edge["node"]["id"] == question_id
    )
    return question


async def test_members_answer_a_question_and_see_the_answers_oldest_first(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    question_id = await _ask(alice)
    first = await _answer(bob, question_id, "Bob has them")
    second = await _answer(carol, question_id, "No, Carol does")
    question = await _question_seen_by(bob, question_id)
    assert question["replyCount"] == 2
    assert question["acceptedAnswer"] is None
    replies = [edge["node"] for edge in question["replies"]["edges"]]
    assert [(reply["id"], reply["text"]) for reply in replies] == [
        (first, "Bob has them"),
        (second, "No, Carol does"),
    ]


async def test_the_asker_accepts_an_answer_and_may_accept_another_instead(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    question_id = await _ask(bob)
    wrong = await _answer(alice, question_id, "In the drawer")
    right = await _answer(carol, question_id, "I have them")
    accepted = await _accept(bob, question_id, wrong)
    assert accepted["id"] == question_id
    assert accepted["acceptedAnswer"]["id"] == wrong
    accepted = await _accept(bob, question_id, right)
    assert accepted["acceptedAnswer"] == {
        "id": right,
        "text": "I have them",
        "author": {"id": carol.user_id},
    }
    question = await _question_seen_by(alice, question_id)
    assert question["acceptedAnswer"] == {"id": right}


async def test_the_owner_or_an_admin_may_accept_an_answer_on_someone_elses_question(
    api: Api,
) -> None:
    owner, admin, carol, dave = await join_in_order(api, "alice", "bob", "carol", "dave")
    await owner.set_role(admin, "ADMIN")
    question_id = await _ask(carol)
    for accepter, text in [(owner, "Under the mat"), (admin, "In the car")]:
        answer_id = await _answer(dave, question_id, text)
        accepted = await _accept(accepter, question_id, answer_id)
        assert accepted["acceptedAnswer"]["id"] == answer_id


async def test_a_member_who_did_not_ask_cannot_accept_an_answer(api: Api) -> None:
    alice, bob, carol = await join_in_order(api, "alice", "bob", "carol")
    question_id = await _ask(alice)
    answer_id = await _answer(bob, question_id, "Ask Carol")
    for member in (carol, bob):
        assert await _accept_error(member, question_id, answer_id) == "FORBIDDEN"
    assert (await _question_seen_by(alice, question_id))["acceptedAnswer"] is None


async def test_only_a_reply_to_the_question_can_be_its_answer(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    other_question = await _ask(alice, "Where is the car?")
    elsewhere = await _answer(bob, other_question, "In the garage")
    loose = (await bob.say("The keys are on the hook"))["id"]
    question_id = await _ask(alice)
    for answer_id in (elsewhere, loose, other_question, question_id):
        assert await _accept_error(alice, question_id, answer_id) == "BAD_USER_INPUT", answer_id
    assert (await _question_seen_by(alice, question_id))["acceptedAnswer"] is None


async def test_accepting_an_answer_on_an_item_that_is_not_a_question_is_bad_input(
    api: Api,
) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    statement = (await alice.say("The keys are lost"))["id"]
    reply = await _answer(bob, statement, "Found them")
    assert await _accept_error(alice, statement, reply) == "BAD_USER_INPUT"


async def test_a_question_needs_its_text(api: Api) -> None:
    alice = await join(api, "alice")
    for text in (None, "", "  "):
        assert await alice.post_error(type="QUESTION", text=text) == "BAD_USER_INPUT"


async def test_a_recalled_answer_no_longer_counts_as_a_reply(api: Api) -> None:
    alice, bob = await join_in_order(api, "alice", "bob")
    question_id = await _ask(alice)
    await _answer(bob, question_id, "Bob has them")
    recalled = await _answer(bob, question_id, "Oops, wrong chat")
    await bob.data(DELETE, itemId=recalled)
    assert (await _question_seen_by(alice, question_id))["replyCount"] == 1
