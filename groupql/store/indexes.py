"""The indexes each collection needs, and how `groupql migrate` brings a database to them.

Each hot query shape has an index that serves its equality fields, then its sort, then its range
(MongoDB's ESR rule); tests/store/test_query_shapes.py checks every shape the suite sends against
this list.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel

from groupql.store.collection import Collection

# The options that make two indexes different (MongoDB refuses to create an index under a name
# it already holds with other options: IndexOptionsConflict / IndexKeySpecsConflict).
_OPTIONS = ("unique", "sparse", "partialFilterExpression", "expireAfterSeconds")

INDEXES: Mapping[str, tuple[IndexModel, ...]] = {
    "users": (IndexModel([("appid", ASCENDING), ("openid", ASCENDING)], unique=True),),
    "sessions": (
        IndexModel([("tokenHash", ASCENDING)], unique=True),
        # MongoDB's TTL monitor deletes expired sessions; reads check expiry too, since the
        # monitor runs only once a minute.
        IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=0),
    ),
    "groups": (
        # Partial on the key's presence, not its type: MongoDB uses a partial index only for a
        # query that implies its filter, and `openGId: <value>` implies $exists, not $type.
        IndexModel(
            [("appid", ASCENDING), ("openGId", ASCENDING)],
            unique=True,
            partialFilterExpression={"openGId": {"$exists": True}},
            name="appid_1_openGId_1_present",
        ),
    ),
    "members": (
        IndexModel([("groupId", ASCENDING), ("userId", ASCENDING)], unique=True),
        # A group's members page (and member counts) by status, in join order.
        IndexModel([("groupId", ASCENDING), ("status", ASCENDING), ("_id", ASCENDING)]),
        # myGroups: a user's active memberships, newest first.
        IndexModel([("userId", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)]),
        # How many members turned a group's notifications off (an @all's reach).
        IndexModel(
            [("groupId", ASCENDING), ("status", ASCENDING), ("notificationLevel", ASCENDING)]
        ),
        # The next owner when one leaves: the longest-standing admin, else member.
        IndexModel(
            [
                ("groupId", ASCENDING),
                ("status", ASCENDING),
                ("role", ASCENDING),
                ("joinedAt", ASCENDING),
                ("_id", ASCENDING),
            ]
        ),
    ),
    "items": (
        IndexModel([("groupId", ASCENDING), ("seq", ASCENDING)], unique=True),
        # The feed filtered by type, and the album (IMAGE and VIDEO), newest first.
        IndexModel([("groupId", ASCENDING), ("type", ASCENDING), ("seq", DESCENDING)]),
        # Replies and reply counts, within the group (the shard key leads).
        IndexModel([("groupId", ASCENDING), ("replyTo", ASCENDING), ("seq", ASCENDING)]),
        # Unread mentions: the items after a read marker that name a user, or @all.
        IndexModel([("groupId", ASCENDING), ("mentions", ASCENDING), ("seq", ASCENDING)]),
        IndexModel([("groupId", ASCENDING), ("mentionsAll", ASCENDING), ("seq", ASCENDING)]),
        # Search (groupql/store/item_search.py): an item's terms, one entry each (multikey), a
        # group's newest first, and across a member's groups by time.
        IndexModel([("groupId", ASCENDING), ("terms", ASCENDING), ("seq", DESCENDING)]),
        IndexModel(
            [
                ("groupId", ASCENDING),
                ("terms", ASCENDING),
                ("createdAt", DESCENDING),
                ("_id", DESCENDING),
            ]
        ),
        # The items that wait for a file's check.
        IndexModel([("groupId", ASCENDING), ("awaitingMedia", ASCENDING)]),
        # The review queue: a group's held and reported items, newest first.
        IndexModel([("groupId", ASCENDING), ("queued", ASCENDING), ("seq", DESCENDING)]),
        # Polls that just closed (their voters are told once): only polls have the key.
        IndexModel(
            [("type", ASCENDING), ("poll.closesAt", ASCENDING)],
            partialFilterExpression={"poll.closesAt": {"$exists": True}},
        ),
        # One item per author's clientId: a retried postItem finds the first one.
        IndexModel(
            [("groupId", ASCENDING), ("authorId", ASCENDING), ("clientId", ASCENDING)],
            unique=True,
            partialFilterExpression={"clientId": {"$exists": True}},
        ),
    ),
    "notifications": (
        # A user's feed: their own address and each of their groups', newest first.
        # createdAt last: a group's notifications from before one joined are left out in the
        # index, within the second of joining that the id alone cannot tell apart.
        IndexModel(
            [
                ("to", ASCENDING),
                ("groupId", ASCENDING),
                ("_id", DESCENDING),
                ("createdAt", ASCENDING),
            ]
        ),
    ),
    "votes": (IndexModel([("itemId", ASCENDING), ("userId", ASCENDING)], unique=True),),
    "invites": (
        IndexModel([("code", ASCENDING)], unique=True),
        IndexModel([("groupId", ASCENDING), ("_id", ASCENDING)]),
    ),
    "subscriptions": (
        # One subscription per (user, template): accepts upsert it, sends take its credits; a
        # user's subscriptions, by template.
        IndexModel([("userId", ASCENDING), ("templateId", ASCENDING)], unique=True),
    ),
    # wechat_state needs none: its documents are read and written by _id alone.
    "outbox": (
        # The one waiting message of a recipient and group, which new notifications join.
        IndexModel(
            [("pendingKey", ASCENDING)],
            unique=True,
            partialFilterExpression={"pendingKey": {"$exists": True}},
        ),
        # What is due: waiting messages, and those whose sender's lease ran out.
        IndexModel([("state", ASCENDING), ("sendAt", ASCENDING)]),
        # Finished messages go a week after (kept that long to tell what was sent).
        IndexModel([("finishedAt", ASCENDING)], expireAfterSeconds=7 * 24 * 3600),
    ),
    "uploads": (
        # Tickets go a day after they expire (used or not).
        IndexModel([("expiresAt", ASCENDING)], expireAfterSeconds=24 * 3600),
    ),
    "media": (
        # One file per content in its group (an avatar: its owner): the same photo is one file.
        IndexModel([("scope", ASCENDING), ("sha256", ASCENDING)], unique=True),
        # WeChat's verdict on a file names its check's trace_id.
        IndexModel(
            [("traceId", ASCENDING)], partialFilterExpression={"traceId": {"$exists": True}}
        ),
    ),
    "reports": (
        # One report per member and item; an item's reports, within its group.
        IndexModel([("itemId", ASCENDING), ("reporterId", ASCENDING)], unique=True),
        IndexModel([("groupId", ASCENDING), ("itemId", ASCENDING), ("_id", ASCENDING)]),
    ),
    "metrics": (IndexModel([("groupId", ASCENDING), ("key", ASCENDING)], unique=True),),
    "scores": (
        # One score per member, metric and period; a member's scores (dropped when they leave).
        IndexModel(
            [
                ("groupId", ASCENDING),
                ("userId", ASCENDING),
                ("metric", ASCENDING),
                ("period", ASCENDING),
            ],
            unique=True,
        ),
        # A ranking, highest first: its pages, and how many scores are above one (a rank).
        IndexModel(
            [
                ("groupId", ASCENDING),
                ("metric", ASCENDING),
                ("period", ASCENDING),
                ("score", DESCENDING),
                ("userId", ASCENDING),
            ]
        ),
    ),
    "score_records": (
        # One record per clientId; the records of a membership (a member who came back starts
        # afresh), by day.
        IndexModel(
            [
                ("groupId", ASCENDING),
                ("metric", ASCENDING),
                ("userId", ASCENDING),
                ("clientId", ASCENDING),
            ],
            unique=True,
        ),
        IndexModel(
            [
                ("groupId", ASCENDING),
                ("metric", ASCENDING),
                ("userId", ASCENDING),
                ("memberSince", ASCENDING),
                ("day", ASCENDING),
            ]
        ),
    ),
    # A user's steps of each day.
    "step_days": (IndexModel([("userId", ASCENDING), ("day", ASCENDING)], unique=True),),
    "wechat_pushes": (
        # No query: MongoDB's TTL monitor forgets a push after a day, long after WeChat's
        # retries of it (three, seconds apart) are over.
        IndexModel([("receivedAt", ASCENDING)], expireAfterSeconds=86_400),
    ),
}

# Indexes an earlier release made that one above replaces: migrate drops each once its
# replacement exists.
SUPERSEDED: Mapping[str, tuple[str, ...]] = {
    "groups": ("appid_1_openGId_1",),  # partial on $type: never used for a join's lookup
    "members": ("userId_1_status_1",),  # cannot serve myGroups' sort by _id
    "items": ("replyTo_1_seq_1",),  # replies without the groupId shard key
}


@dataclass
class IndexPlan:
    """What a database needs to match `INDEXES`: indexes to create, to rebuild, to drop."""

    create: list[tuple[str, IndexModel]] = field(default_factory=list)
    rebuild: list[tuple[str, IndexModel]] = field(default_factory=list)
    drop: list[tuple[str, str]] = field(default_factory=list)

    @property
    def is_current(self) -> bool:
        return not (self.create or self.rebuild or self.drop)

    def describe(self) -> list[str]:
        return (
            [f"create {name}.{_name(model)}" for name, model in self.create]
            + [
                f"rebuild {name}.{_name(model)} (its options changed)"
                for name, model in self.rebuild
            ]
            + [f"drop {name}.{index} (superseded)" for name, index in self.drop]
        )


async def plan(collections: Mapping[str, Collection]) -> IndexPlan:
    """Compare each collection's indexes with the declared ones."""
    needed = IndexPlan()
    for name, models in INDEXES.items():
        existing = await collections[name].index_information()
        for model in models:
            found = existing.get(_name(model))
            if found is None:
                needed.create.append((name, model))
            elif _spec(found) != _spec(model.document):
                needed.rebuild.append((name, model))
        needed.drop += [(name, index) for index in SUPERSEDED.get(name, ()) if index in existing]
    return needed


async def migrate(collections: Mapping[str, Collection]) -> IndexPlan:
    """Bring the indexes to the declared ones; what was done (nothing, the second time).

    New indexes are built before the ones they supersede are dropped, so queries always have one.
    """
    needed = await plan(collections)
    for name, model in needed.rebuild:
        await collections[name].drop_index(_name(model))
    for name, model in needed.create + needed.rebuild:
        await collections[name].create_indexes([model])
    for name, index in needed.drop:
        await collections[name].drop_index(index)
    return needed


def _name(model: IndexModel) -> str:
    name: str = model.document["name"]
    return name


def _spec(index: Mapping[str, Any]) -> tuple[Any, ...]:
    keys = tuple((field, int(direction)) for field, direction in dict(index["key"]).items())
    # unique: false is what an index without the option is.
    return (
        keys,
        *(None if index.get(option) is False else index.get(option) for option in _OPTIONS),
    )


class StaleIndexes(Exception):
    """The database's indexes are not the declared ones: `groupql migrate` makes them so."""


async def prepare(collections: Mapping[str, Collection], *, is_empty: bool) -> None:
    """Make sure the indexes are current before serving.

    A new, empty database (dev, a first start) gets them here. A database with data is changed
    only by `groupql migrate`: building an index on a populated collection takes time, and two
    instances changing an index at once fail each other.
    """
    if is_empty:
        await migrate(collections)
        return
    needed = await plan(collections)
    if not needed.is_current:
        raise StaleIndexes(
            f"the database's indexes are not current ({'; '.join(needed.describe())}): "
            "run `groupql migrate`, then start again"
        )
