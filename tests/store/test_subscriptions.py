"""Subscribe-message credits: each accept gives one, a reject takes them all, and racing sends
never take more than were given; on the in-memory engine and on a real MongoDB."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from groupql.records import Subscription, SubscriptionStatus
from groupql.store.indexes import INDEXES, migrate
from groupql.store.subscriptions import Subscriptions
from tests.conftest import Clock
from tests.store import shapes
from tests.store.engines import ENGINES, a_database_name, engine_client

ALICE, BOB = "user-alice", "user-bob"
REMINDER, DIGEST = "template-reminder", "template-digest"


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A database with the declared indexes, on each engine."""
    name = a_database_name()
    async with engine_client(request.param, name, shapes.RECORDER) as client:
        db = client[name]
        await migrate({collection: db[collection] for collection in INDEXES})
        yield db


@pytest.fixture
def subscriptions(db: Any) -> Subscriptions:
    return Subscriptions(db["subscriptions"])


async def credits_of(subscriptions: Subscriptions, user_id: str) -> dict[str, int]:
    return {one.template_id: one.credits for one in await subscriptions.of_user(user_id)}


async def test_subscriptions_are_unique_per_user_and_template(db: Any) -> None:
    indexes = await db["subscriptions"].index_information()

    assert indexes["userId_1_templateId_1"]["unique"] is True


async def test_each_accept_gives_one_more_credit(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    first_at = clock()
    first = await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=first_at)
    clock.advance(minutes=5)
    await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())
    third = await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())

    assert first == Subscription(ALICE, REMINDER, SubscriptionStatus.ACCEPT, 1, first_at)
    assert third == Subscription(ALICE, REMINDER, SubscriptionStatus.ACCEPT, 3, clock())


async def test_racing_accepts_each_count(subscriptions: Subscriptions, clock: Clock) -> None:
    await asyncio.gather(
        *(subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock()) for _ in range(20))
    )

    assert await credits_of(subscriptions, ALICE) == {REMINDER: 20}


async def test_a_user_who_turns_a_template_off_gets_nothing_more(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    for _ in range(3):
        await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())

    rejected = await subscriptions.reject(user_id=ALICE, template_id=REMINDER, now=clock())

    assert (rejected.status, rejected.credits) == (SubscriptionStatus.REJECT, 0)
    assert not await subscriptions.consume(user_id=ALICE, template_id=REMINDER)
    assert await credits_of(subscriptions, ALICE) == {REMINDER: 0}


async def test_accepting_again_after_turning_it_off_gives_one_credit(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    await subscriptions.reject(user_id=ALICE, template_id=REMINDER, now=clock())

    accepted = await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())

    assert (accepted.status, accepted.credits) == (SubscriptionStatus.ACCEPT, 1)
    assert await subscriptions.consume(user_id=ALICE, template_id=REMINDER)


async def test_a_send_takes_one_credit_until_none_is_left(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())
    await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())

    taken = [await subscriptions.consume(user_id=ALICE, template_id=REMINDER) for _ in range(3)]

    assert taken == [True, True, False]


async def test_nothing_is_taken_from_a_user_who_never_subscribed(
    subscriptions: Subscriptions,
) -> None:
    assert not await subscriptions.consume(user_id=ALICE, template_id=REMINDER)
    assert await subscriptions.of_user(ALICE) == []


async def test_racing_sends_take_exactly_the_credits_there_are(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    for _ in range(3):
        await asyncio.gather(
            *(
                subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())
                for _ in range(20)
            )
        )

        taken = await asyncio.gather(
            *(subscriptions.consume(user_id=ALICE, template_id=REMINDER) for _ in range(50))
        )

        assert taken.count(True) == 20
        assert await credits_of(subscriptions, ALICE) == {REMINDER: 0}


async def test_a_credit_taken_for_an_undelivered_send_is_given_back(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())
    assert await subscriptions.consume(user_id=ALICE, template_id=REMINDER)

    assert await subscriptions.refund(user_id=ALICE, template_id=REMINDER)
    assert await credits_of(subscriptions, ALICE) == {REMINDER: 1}


async def test_no_credit_is_given_back_once_the_user_turned_the_template_off(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())
    assert await subscriptions.consume(user_id=ALICE, template_id=REMINDER)
    await subscriptions.reject(user_id=ALICE, template_id=REMINDER, now=clock())

    assert not await subscriptions.refund(user_id=ALICE, template_id=REMINDER)
    assert not await subscriptions.consume(user_id=ALICE, template_id=REMINDER)
    assert await credits_of(subscriptions, ALICE) == {REMINDER: 0}


async def test_a_users_subscriptions_are_theirs_alone_by_template(
    subscriptions: Subscriptions, clock: Clock
) -> None:
    await subscriptions.accept(user_id=ALICE, template_id=REMINDER, now=clock())
    await subscriptions.reject(user_id=ALICE, template_id=DIGEST, now=clock())
    await subscriptions.accept(user_id=BOB, template_id=REMINDER, now=clock())

    alices = await subscriptions.of_user(ALICE)

    assert [(one.template_id, one.status) for one in alices] == [
        (DIGEST, SubscriptionStatus.REJECT),
        (REMINDER, SubscriptionStatus.ACCEPT),
    ]
    assert {one.user_id for one in alices} == {ALICE}
