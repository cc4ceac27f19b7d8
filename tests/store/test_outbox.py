"""The outbox: racing notifications to one recipient in one group by one template gather into
one waiting message; racing senders claim each due message once and hold it for a lease, and
only the holder finishes or postpones it; on the in-memory engine and on a real MongoDB."""

import asyncio
import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from groupql.records import OutboxMessage, OutboxState
from groupql.store.indexes import INDEXES, migrate
from groupql.store.outbox import MAX_NOTIFICATIONS_KEPT, OUTBOX, Outbox
from tests.conftest import Clock
from tests.store import shapes
from tests.store.engines import ENGINES, a_database_name, engine_client

ALICE, BOB, CAROL, DAVE = "user-alice", "user-bob", "user-carol", "user-dave"
HIKING, CHESS = "group-hiking", "group-chess"
MENTION, REPLY = "template-mention", "template-reply"
KINDS = {MENTION: "MENTION", REPLY: "REPLY"}
DIGEST = timedelta(minutes=5)
LEASE = timedelta(minutes=2)
RETRY = timedelta(seconds=30)
JUST_BEFORE = timedelta(milliseconds=1)
WAVES = 3
FINAL_STATES = [OutboxState.SENT, OutboxState.DROPPED, OutboxState.FAILED]


@pytest.fixture(params=ENGINES)
async def db(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """A database with the declared indexes, on each engine."""
    name = a_database_name()
    async with engine_client(request.param, name, shapes.RECORDER) as client:
        db = client[name]
        await migrate({collection: db[collection] for collection in INDEXES})
        yield db


@pytest.fixture
def start(clock: Clock) -> datetime:
    """The real now, in UTC to the millisecond as MongoDB keeps it: finished messages are kept
    a week after, counted by the TTL monitor on the real clock."""
    return clock()


@pytest.fixture
def outbox(db: Any) -> Outbox:
    return Outbox(db["outbox"])


async def tell(
    outbox: Outbox,
    now: datetime,
    *,
    to: str = BOB,
    group_id: str = HIKING,
    template_id: str = MENTION,
    notification_id: str = "note-1",
    actor_id: str = ALICE,
) -> None:
    """One notification for `to`, to go out when the digest window closes."""
    await outbox.gather(
        to=to,
        group_id=group_id,
        kind=KINDS[template_id],
        template_id=template_id,
        notification_ids=[notification_id],
        actor_ids=[actor_id],
        now=now,
        send_at=now + DIGEST,
    )


async def claim_all(outbox: Outbox, now: datetime) -> list[OutboxMessage]:
    """Every message due at `now`, claimed one after another."""
    claimed = []
    while message := await outbox.claim_next(now=now, lease=LEASE):
        claimed.append(message)
    return claimed


async def a_sender(outbox: Outbox, now: datetime) -> list[OutboxMessage]:
    """One sender's run: claims what is due until nothing is, and sends each message."""
    sent = []
    while message := await outbox.claim_next(now=now, lease=LEASE):
        sent.append(message)
        await asyncio.sleep(0)  # the other senders claim meanwhile
        assert await outbox.finish(message, OutboxState.SENT, now=now)
    return sent


async def stored(db: Any, message: OutboxMessage) -> OutboxMessage:
    """The message as the outbox keeps it now."""
    return OUTBOX.record(await db["outbox"].find_one({"_id": ObjectId(message.id)}))


async def test_racing_notifications_gather_into_one_message_wave_after_wave(
    start: datetime, outbox: Outbox
) -> None:
    now, held, ids = start, None, set[str]()
    for wave in range(WAVES):
        # The wave's notifications race while the previous wave's message is being sent.
        await asyncio.gather(
            *(tell(outbox, now, notification_id=f"note-{wave}-{n}") for n in range(50))
        )
        if held is not None:
            assert await outbox.finish(held, OutboxState.SENT, now=now)
        now += DIGEST

        [held] = await claim_all(outbox, now)

        assert (held.to, held.group_id, held.template_id, held.count) == (BOB, HIKING, MENTION, 50)
        assert held.id not in ids
        ids.add(held.id)


async def test_a_message_keeps_its_first_notifications_and_counts_them_all(
    start: datetime, outbox: Outbox
) -> None:
    for n in range(MAX_NOTIFICATIONS_KEPT + 5):
        await tell(outbox, start, notification_id=f"note-{n}")

    [message] = await claim_all(outbox, start + DIGEST)

    assert message.count == MAX_NOTIFICATIONS_KEPT + 5
    assert message.notification_ids == tuple(f"note-{n}" for n in range(MAX_NOTIFICATIONS_KEPT))


async def test_racing_notifications_keep_as_many_ids_as_a_message_holds(
    start: datetime, outbox: Outbox
) -> None:
    told = {f"note-{n}" for n in range(50)}
    await asyncio.gather(*(tell(outbox, start, notification_id=one) for one in told))

    [message] = await claim_all(outbox, start + DIGEST)

    assert message.count == 50
    assert len(set(message.notification_ids)) == MAX_NOTIFICATIONS_KEPT
    assert set(message.notification_ids) <= told


async def test_a_fanned_out_digest_keeps_as_many_ids_as_a_message_holds(
    start: datetime, outbox: Outbox
) -> None:
    notes = [f"note-{n}" for n in range(30)]

    await outbox.gather(
        to=BOB,
        group_id=HIKING,
        kind="MENTION",
        template_id=MENTION,
        notification_ids=notes,
        actor_ids=[ALICE],
        now=start,
        send_at=start,
        count=len(notes),
    )

    [message] = await claim_all(outbox, start)
    assert message.count == 30
    assert message.notification_ids == tuple(notes[:MAX_NOTIFICATIONS_KEPT])


async def test_who_caused_a_message_is_named_once_each(start: datetime, outbox: Outbox) -> None:
    actors = [ALICE, CAROL, DAVE, "user-erin", "user-frank"]
    await asyncio.gather(
        *(
            tell(outbox, start, notification_id=f"note-{n}", actor_id=actors[n % len(actors)])
            for n in range(50)
        )
    )

    [message] = await claim_all(outbox, start + DIGEST)

    assert sorted(message.actor_ids) == sorted(actors)


async def test_each_recipient_group_and_template_waits_in_a_message_of_its_own(
    start: datetime, outbox: Outbox
) -> None:
    keys = list(itertools.product([BOB, CAROL], [HIKING, CHESS], [MENTION, REPLY]))
    await asyncio.gather(
        *(
            tell(outbox, start, to=to, group_id=group_id, template_id=template_id)
            for to, group_id, template_id in keys
            for _ in range(10)
        )
    )

    claimed = await claim_all(outbox, start + DIGEST)

    assert sorted((one.to, one.group_id, one.template_id) for one in claimed) == sorted(keys)
    assert [one.count for one in claimed] == [10] * len(keys)
    assert all(one.kind == KINDS[one.template_id] for one in claimed)


async def test_nothing_is_claimed_before_it_is_due(start: datetime, outbox: Outbox) -> None:
    await tell(outbox, start)

    assert await outbox.claim_next(now=start, lease=LEASE) is None
    assert await outbox.claim_next(now=start + DIGEST - JUST_BEFORE, lease=LEASE) is None
    message = await outbox.claim_next(now=start + DIGEST, lease=LEASE)

    assert message is not None
    assert message.state is OutboxState.SENDING
    assert message.send_at == start + DIGEST + LEASE
    assert message.claim
    assert message.attempts == 0


async def test_due_messages_are_claimed_in_the_order_they_fell_due(
    start: datetime, outbox: Outbox
) -> None:
    await tell(outbox, start + timedelta(minutes=2), to=DAVE)
    await tell(outbox, start, to=BOB)
    await tell(outbox, start + timedelta(minutes=1), to=CAROL)

    claimed = await claim_all(outbox, start + timedelta(hours=1))

    assert [one.to for one in claimed] == [BOB, CAROL, DAVE]


async def test_racing_senders_claim_each_due_message_exactly_once(
    start: datetime, outbox: Outbox
) -> None:
    now = start
    for wave in range(WAVES):
        recipients = [f"user-{wave}-{n}" for n in range(20)]
        await asyncio.gather(*(tell(outbox, now, to=to) for to in recipients))
        now += DIGEST
        runs = await asyncio.gather(*(a_sender(outbox, now) for _ in range(10)))

        claimed = [message for run in runs for message in run]
        assert len(claimed) == len(recipients)
        assert len({one.id for one in claimed}) == len(recipients)
        assert len({one.claim for one in claimed}) == len(recipients)
        assert sorted(one.to for one in claimed) == sorted(recipients)
        assert await outbox.claim_next(now=now + LEASE, lease=LEASE) is None


async def test_a_claimed_message_takes_no_more_notifications(
    start: datetime, db: Any, outbox: Outbox
) -> None:
    await tell(outbox, start, notification_id="note-1")
    now = start + DIGEST
    [first] = await claim_all(outbox, now)

    await tell(outbox, now, notification_id="note-2", actor_id=CAROL)
    assert await outbox.finish(first, OutboxState.SENT, now=now)
    [second] = await claim_all(outbox, now + DIGEST)

    assert second.id != first.id
    assert (second.count, second.notification_ids, second.actor_ids) == (1, ("note-2",), (CAROL,))
    kept = await stored(db, first)
    assert (kept.count, kept.notification_ids, kept.actor_ids) == (1, ("note-1",), (ALICE,))


async def test_a_message_whose_sender_vanished_is_claimed_again_once_its_lease_runs_out(
    start: datetime, outbox: Outbox
) -> None:
    await tell(outbox, start)
    now = start + DIGEST
    vanished = await outbox.claim_next(now=now, lease=LEASE)
    assert vanished is not None
    assert await outbox.claim_next(now=now + LEASE - JUST_BEFORE, lease=LEASE) is None

    now += LEASE
    claims = await asyncio.gather(*(outbox.claim_next(now=now, lease=LEASE) for _ in range(10)))

    [taken] = [one for one in claims if one is not None]
    assert taken.id == vanished.id
    assert taken.claim != vanished.claim
    assert (taken.state, taken.send_at) == (OutboxState.SENDING, now + LEASE)


@pytest.mark.parametrize("state", FINAL_STATES)
async def test_only_the_sender_holding_the_claim_ends_the_message(
    start: datetime, db: Any, outbox: Outbox, state: OutboxState
) -> None:
    await tell(outbox, start)
    now = start + DIGEST
    late = await outbox.claim_next(now=now, lease=LEASE)
    now += LEASE
    holder = await outbox.claim_next(now=now, lease=LEASE)
    assert late is not None and holder is not None

    assert not await outbox.finish(late, OutboxState.SENT, now=now, detail="late")
    assert not await outbox.postpone(late, until=now, detail="late", attempt=True)
    assert await stored(db, holder) == holder

    assert await outbox.finish(holder, state, now=now, detail="done")
    assert await stored(db, holder) == replace(holder, state=state, claim=None)
    assert await outbox.claim_next(now=now + timedelta(days=1), lease=LEASE) is None


async def test_a_failed_try_puts_the_message_back_and_counts_an_attempt(
    start: datetime, outbox: Outbox
) -> None:
    await tell(outbox, start)
    now = start + DIGEST
    message = await outbox.claim_next(now=now, lease=LEASE)
    for attempt in range(1, WAVES + 1):
        assert message is not None
        until = now + RETRY * attempt

        assert await outbox.postpone(message, until=until, detail="busy", attempt=True)

        assert await outbox.claim_next(now=until - JUST_BEFORE, lease=LEASE) is None
        now, again = until, await outbox.claim_next(now=until, lease=LEASE)
        assert again is not None
        assert (again.id, again.attempts) == (message.id, attempt)
        message = again


async def test_waiting_out_quiet_hours_counts_no_attempt(start: datetime, outbox: Outbox) -> None:
    await tell(outbox, start)
    now = start + DIGEST
    message = await outbox.claim_next(now=now, lease=LEASE)
    for _ in range(WAVES):
        assert message is not None
        until = now + timedelta(hours=8)

        assert await outbox.postpone(message, until=until, detail="quiet hours", attempt=False)

        assert await outbox.claim_next(now=until - JUST_BEFORE, lease=LEASE) is None
        now, again = until, await outbox.claim_next(now=until, lease=LEASE)
        assert again is not None
        assert (again.id, again.attempts, again.count) == (message.id, 0, 1)
        message = again


async def test_a_postponed_message_is_no_longer_its_senders_to_end(
    start: datetime, outbox: Outbox
) -> None:
    await tell(outbox, start)
    now = start + DIGEST
    message = await outbox.claim_next(now=now, lease=LEASE)
    assert message is not None
    assert await outbox.postpone(message, until=now + RETRY, detail="busy", attempt=True)

    assert not await outbox.finish(message, OutboxState.SENT, now=now)
    assert not await outbox.postpone(message, until=now, detail="busy", attempt=True)

    again = await outbox.claim_next(now=now + RETRY, lease=LEASE)
    assert again is not None
    assert (again.id, again.attempts) == (message.id, 1)
