"""What the kept reads' tests share: counts of the store's commands, a fresh store with users,
and writers and readers of kept users racing in waves (in process and over a real Redis)."""

import asyncio
import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

from pymongo import monitoring

from groupql.changes import Changes
from groupql.records import User
from groupql.store.database import Database, connect
from groupql.store.repositories import Store
from groupql.store.users import Users

NOW = datetime(2026, 12, 3, tzinfo=UTC)


class Finds(monitoring.CommandListener):
    """How many find commands the store sent."""

    command = "find"

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += event.command_name == self.command

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass

    @contextmanager
    def counted(self) -> Iterator[list[int]]:
        before, found = self.count, [0]
        yield found
        found[0] = self.count - before


class Aggregates(Finds):
    """How many aggregate commands the store sent."""

    command = "aggregate"


def a_database(finds: Finds) -> Database:
    return connect(f"memory://{uuid.uuid4().hex}", "test", event_listeners=[finds])


async def logged_in(store: Store, count: int) -> list[User]:
    return [
        await store.users.record_login(
            appid="app", openid=f"o{n}", unionid=None, encrypted_session_key=b"k", now=NOW
        )
        for n in range(count)
    ]


async def race_in_waves(instances: Sequence[Users], users: Sequence[User]) -> None:
    """Writers read their user back (through any instance) as soon as their write returns,
    while readers of every user, through every instance, keep what they read: a record kept
    with versions read after its read (a write landing between them) would be served stale."""
    rng = random.Random(7)
    last: dict[str, str] = {}

    async def write(user: User, wave: int) -> None:
        for turn in range(3):
            nickname = f"{user.id[-4:]}-{wave}-{turn}"
            await rng.choice(instances).change(user.id, Changes(User, nickname=nickname))
            for _ in range(rng.randint(0, 4)):  # the next read may come a little later
                await asyncio.sleep(0)
            [found] = await rng.choice(instances).get_many([user.id])
            assert found is not None and found.nickname == nickname
            last[user.id] = nickname

    async def read(ids: Sequence[str]) -> None:
        for _ in range(6):
            await rng.choice(instances).get_many(list(ids))

    for wave in range(5):
        writers = [write(user, wave) for user in rng.sample(list(users), 5)]
        readers = [read([one.id for one in rng.sample(list(users), 3)]) for _ in range(16)]
        actors = writers + readers
        rng.shuffle(actors)
        await asyncio.gather(*actors)
        for instance in instances:
            found = await instance.get_many([user.id for user in users])
            assert [one.nickname if one else None for one in found] == [
                last.get(user.id) for user in users
            ]
