"""Polls: votes, results, and the viewer's own choice."""

from collections.abc import Sequence
from dataclasses import dataclass

from groupql.errors import BadUserInput, Conflict
from groupql.records import Item, ItemType, Poll, PollTally, User
from groupql.services.clock import Clock
from groupql.services.events import Events, EventType
from groupql.services.items import ItemService
from groupql.services.permissions import Action
from groupql.store import Store
from groupql.versions.reading import changes_at, untimed


@dataclass(frozen=True)
class OptionResult:
    """One option of a poll with its votes; voter_ids is None when the poll is anonymous."""

    id: str
    text: str
    vote_count: int
    voter_ids: tuple[str, ...] | None


class PollService:
    def __init__(self, *, store: Store, items: ItemService, clock: Clock, events: Events) -> None:
        self._store = store
        self._events = events
        self._items = items
        self._clock = clock

    async def vote(self, viewer: User, item_id: str, option_ids: Sequence[str]) -> Item:
        """Cast, replace (vote again) or withdraw (no options) the viewer's vote."""
        item, access = await self._items.item_with_access(viewer, item_id)
        access.require(Action.VOTE)
        poll = item.content.poll
        if item.type is not ItemType.POLL or poll is None:
            raise BadUserInput("Only a live POLL item takes votes.")
        if self.is_closed(poll):
            raise Conflict("The poll is closed.")
        known = {option.id for option in poll.options}
        if len(set(option_ids)) != len(option_ids) or not set(option_ids) <= known:
            raise BadUserInput("'optionIds' must name different options of this poll.")
        if len(option_ids) > 1 and not poll.is_multiple_choice:
            raise BadUserInput("This poll takes a single option.")
        if option_ids:
            await self._store.votes.cast(
                item_id=item.id, user_id=viewer.id, option_ids=option_ids, now=self._clock()
            )
        else:
            await self._store.votes.withdraw(item_id=item.id, user_id=viewer.id)
        await self._events.item(EventType.POLL_UPDATED, item)
        return item

    def is_closed(self, poll: Poll) -> bool:
        if poll.closes_at is None:
            return False
        if poll.closes_at > (now := untimed(self._clock)()):
            changes_at(poll.closes_at)  # an answer that says "open" holds until then
        return poll.closes_at <= now

    def results(self, poll: Poll, tally: PollTally) -> list[OptionResult]:
        """Each option of the poll with its count, and its voters unless the poll is anonymous."""
        by_option = {option.option_id: option for option in tally.options}
        results = []
        for option in poll.options:
            counted = by_option.get(option.id)
            voter_ids = () if counted is None else counted.voter_ids
            results.append(
                OptionResult(
                    id=option.id,
                    text=option.text,
                    vote_count=len(voter_ids),
                    voter_ids=None if poll.is_anonymous else voter_ids,
                )
            )
        return results

    async def tallies(self, item_ids: Sequence[str]) -> list[PollTally]:
        return await self._store.votes.tallies(item_ids)

    async def votes_of(self, viewer: User, item_ids: Sequence[str]) -> list[tuple[str, ...]]:
        """The options the viewer chose in each poll (empty where they did not vote)."""
        return await self._store.votes.of_user(viewer.id, item_ids)
