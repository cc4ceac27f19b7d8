// A group's live feed with gapless, duplicate-free resume: the highest ItemPosted seq delivered
// (the mark) is kept in storage and sent as afterSeq on every (re)subscribe.

import { GroupqlError } from "./errors.js";
import { GROUP_FEED, GROUP_LAST_SEQ } from "./operations.js";
import { lastSeqKey } from "./storage.js";

/**
 * Follows `groupId`'s feed on the shared socket; `handlers` get each event once, in order.
 * Without a stored mark the feed starts at the group's lastSeq, read over HTTP, so items posted
 * before the first event are not lost if the socket drops early.
 */
export function subscribeGroupFeed({ socket, session, storage }, groupId, handlers) {
  const key = lastSeqKey(groupId);
  let mark = null;
  let isEnded = false;
  let unsubscribe = null;

  function deliver(result) {
    if (result.errors && result.errors.length > 0) {
      if (handlers.onError) handlers.onError(GroupqlError.fromErrors(result.errors));
      return;
    }
    const event = result.data.groupFeed;
    // Edits, pins, votes and deletions carry the seq of an older item: only new items move it.
    if (event.__typename === "ItemPosted") {
      if (mark !== null && event.seq <= mark) return;
      mark = event.seq;
      // Kept before delivering: a restart after this point never delivers the item again.
      storage.set(key, mark);
    }
    handlers.onEvent(event);
  }

  function end(callback, argument) {
    isEnded = true;
    if (callback) callback(argument);
  }

  startingMark(session, storage, groupId).then(
    (start) => {
      if (isEnded) return;
      mark = start;
      unsubscribe = socket.subscribe({
        payload: () => ({
          query: GROUP_FEED,
          variables: mark === null ? { groupId } : { groupId, afterSeq: mark },
        }),
        onNext: deliver,
        onError: (error) => end(handlers.onError, error),
        onComplete: () => end(handlers.onComplete),
      });
    },
    (error) => end(handlers.onError, error),
  );

  return {
    unsubscribe() {
      isEnded = true;
      if (unsubscribe) unsubscribe();
    },
  };
}

async function startingMark(session, storage, groupId) {
  const stored = await storage.get(lastSeqKey(groupId));
  if (stored !== undefined && stored !== null && stored !== "") return Number(stored);
  try {
    const { group } = await session.request(GROUP_LAST_SEQ, { groupId });
    if (!group) return null;
    await storage.set(lastSeqKey(groupId), group.lastSeq);
    return group.lastSeq;
  } catch (error) {
    // The subscription itself reports why the group cannot be followed (FORBIDDEN, BANNED...).
    return null;
  }
}
