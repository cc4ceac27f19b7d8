// The people of the scenarios: a phone (wx stand-in) with the client on it, and what they do.
import { createClient } from "../src/index.js";
import { Phone } from "./wx.js";

// Fast reconnects: the scenarios drop sockets on purpose and should not wait seconds for each.
const RECONNECT = { minDelayMs: 20, maxDelayMs: 200 };

export const POST_ITEM = `mutation PostItem($input: PostItemInput!) {
  postItem(input: $input) { id seq text }
}
`;

export const REMOVE_MEMBER = `mutation RemoveMember($groupId: ID!, $userId: ID!) {
  removeMember(groupId: $groupId, userId: $userId) { status }
}
`;

/**
 * A user with the mini-program open on a phone. `storage`: the phone's storage of an earlier
 * run of the app (a restart). Other options go to createClient.
 */
export function person(server, user, { storage, subscribeAnswers, ...clientOptions } = {}) {
  const phone = new Phone({ user, server, storage, subscribeAnswers });
  const client = createClient({
    url: server.url,
    wsUrl: server.wsUrl,
    wx: phone.wx,
    reconnect: RECONNECT,
    ...clientOptions,
  });
  return {
    user,
    phone,
    client,
    /** Opens the card shared in chat `openGId` and joins its group: the JoinResult. */
    joinChat: (openGId) => client.joinFromLaunch(phone.openShareCard(openGId)),
    post: (groupId, text) => client.request(POST_ITEM, { input: { groupId, text } }).then((d) => d.postItem),
    /** The feed as the user sees it: every event, and how it ended. */
    watch: (groupId) => watchFeed(client, groupId),
    leave() {
      client.close();
      phone.shutdown();
    },
  };
}

/** Subscribes to a group's feed and keeps what the user would see. */
export function watchFeed(client, groupId) {
  const feed = {
    events: [],
    errors: [],
    completed: false,
    get posted() {
      return this.events.filter((e) => e.__typename === "ItemPosted");
    },
    get seqs() {
      return this.posted.map((e) => e.seq);
    },
    get texts() {
      return this.posted.map((e) => e.item.text);
    },
  };
  const subscription = client.subscribeGroupFeed(groupId, {
    onEvent: (event) => feed.events.push(event),
    onError: (error) => feed.errors.push(error),
    onComplete: () => {
      feed.completed = true;
    },
  });
  feed.unsubscribe = () => subscription.unsubscribe();
  return feed;
}

/** Waits until `condition()` holds, checking every 20 ms; fails after `timeoutMs`. */
export async function eventually(condition, { timeoutMs = 8000, what = "the condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

/** 1..n */
export function upTo(n) {
  return Array.from({ length: n }, (_, i) => i + 1);
}
