"""Resolvers of subscriptions: a group's live feed and the viewer's own events."""

import asyncio
from collections.abc import AsyncIterator

from groupql.resolvers import Info
from groupql.services.live import FeedInterrupted, LiveEvent

# 1013 "try again later": the server could not keep this socket's feed going.
TRY_AGAIN_LATER = 1013


async def group_feed(info: Info, group_id: str, after_seq: int | None) -> AsyncIterator[LiveEvent]:
    viewer = await info.context.viewer()
    events = info.context.services.live.group_feed(viewer, group_id, after_seq)
    async for event in _fresh(info, events):
        yield event


async def my_events(info: Info) -> AsyncIterator[LiveEvent]:
    viewer = await info.context.viewer()
    async for event in _fresh(info, info.context.services.live.my_events(viewer)):
        yield event


async def _fresh(info: Info, events: AsyncIterator[LiveEvent]) -> AsyncIterator[LiveEvent]:
    """Each event resolved with fresh loaders; an interrupted feed closes the socket."""
    try:
        async for event in events:
            if event.message is None:
                info.context.renew_loaders()
            else:
                # The subscribers of one event on this instance share its loaders: N sockets
                # asking for the author cost one read, not N.
                shared = await event.message.memo("loaders", info.context.new_loaders)
                info.context.renew_loaders(shared)
            yield event
    except FeedInterrupted as interrupted:
        resume = (
            f"; resubscribe with afterSeq: {interrupted.resume_after_seq}"
            if interrupted.resume_after_seq is not None
            else "; reconnect"
        )
        await info.context.disconnect(TRY_AGAIN_LATER, f"Feed interrupted{resume}")
        # Ending the stream now would make the protocol handler send "complete" on the closed
        # socket; it cancels this operation as soon as it sees the close instead.
        await asyncio.Event().wait()
