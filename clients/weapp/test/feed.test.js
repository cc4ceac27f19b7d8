import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { eventually, person, sleep, upTo } from "./people.js";
import { startServer } from "./server.js";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

/** Posts `count` items one after another, every `everyMs`, while the test does other things. */
async function postContinuously(poster, groupId, count, everyMs) {
  for (const n of upTo(count)) {
    await poster.post(groupId, `item ${n}`);
    await sleep(everyMs);
  }
}

test("a feed survives three dropped connections while another member posts: each item once, in order", async () => {
  const alice = person(server, "alice-feed");
  const bob = person(server, "bob-feed");
  const { group } = await alice.joinChat("G-feed");
  await bob.joinChat("G-feed");
  const feed = alice.watch(group.id);
  await eventually(() => alice.phone.openSockets.size === 1, { what: "alice's socket" });

  const posting = postContinuously(bob, group.id, 60, 40);
  for (let drop = 0; drop < 3; drop += 1) {
    await sleep(600);
    assert.equal(alice.phone.dropSockets(), 1);
  }
  await posting;

  await eventually(() => feed.seqs.length >= 60, { what: "60 items in alice's feed" });
  await sleep(300); // a late duplicate would arrive now
  assert.deepEqual(feed.seqs, upTo(60));
  assert.deepEqual(feed.texts, upTo(60).map((n) => `item ${n}`));
  assert.ok(alice.phone.socketsOpened >= 4, `sockets opened: ${alice.phone.socketsOpened}`);
  assert.deepEqual(feed.errors, []);
  // Each reconnect resumed from the last item seen, not from where the feed first started.
  const resumedAfter = alice.phone
    .socketMessages()
    .filter((m) => m.type === "subscribe")
    .map((m) => m.payload.variables.afterSeq);
  assert.equal(resumedAfter.length, alice.phone.socketsOpened);
  assert.deepEqual(resumedAfter, [...resumedAfter].sort((a, b) => a - b));
  assert.ok(resumedAfter.at(-1) > 0, `afterSeq sent: ${resumedAfter}`);
  alice.leave();
  bob.leave();
});

test("feeds of two groups share one socket", async () => {
  const alice = person(server, "alice-two");
  const bob = person(server, "bob-two");
  const first = (await alice.joinChat("G-two-a")).group;
  const second = (await alice.joinChat("G-two-b")).group;
  await bob.joinChat("G-two-a");
  await bob.joinChat("G-two-b");
  const feeds = [alice.watch(first.id), alice.watch(second.id)];
  await eventually(() => alice.phone.sentFrames.filter((f) => f.includes('"subscribe"')).length === 2, {
    what: "two subscriptions",
  });

  await bob.post(first.id, "to the first");
  await bob.post(second.id, "to the second");

  await eventually(() => feeds.every((f) => f.posted.length === 1), { what: "one item in each feed" });
  assert.deepEqual(feeds.map((f) => f.texts), [["to the first"], ["to the second"]]);
  assert.equal(alice.phone.socketsOpened, 1);
  alice.leave();
  bob.leave();
});

test("after the app was killed, the feed resumes from storage: no gap, no duplicate", async () => {
  const alice = person(server, "alice-restart");
  const bob = person(server, "bob-restart");
  const { group } = await alice.joinChat("G-restart");
  await bob.joinChat("G-restart");
  const before = alice.watch(group.id);
  await eventually(() => alice.phone.openSockets.size === 1, { what: "alice's socket" });
  for (const n of upTo(5)) await bob.post(group.id, `item ${n}`);
  await eventually(() => before.seqs.length === 5, { what: "5 items before the restart" });
  alice.leave(); // the app is killed

  for (const n of [6, 7, 8, 9, 10]) await bob.post(group.id, `item ${n}`);
  const again = person(server, "alice-restart", { storage: alice.phone.storage });
  const after = again.watch(group.id);
  await eventually(() => after.seqs.length >= 5, { what: "the 5 items posted while the app was closed" });
  await bob.post(group.id, "item 11");
  await eventually(() => after.seqs.length >= 6, { what: "the item posted after the restart" });
  await sleep(200);

  assert.deepEqual(before.seqs, [1, 2, 3, 4, 5]);
  assert.deepEqual(after.seqs, [6, 7, 8, 9, 10, 11]);
  assert.deepEqual(after.texts, [6, 7, 8, 9, 10, 11].map((n) => `item ${n}`));
  assert.equal(again.phone.logins, 0, "the stored token is used: no new wx.login");
  assert.equal(again.phone.wx.getStorageSync(`groupql:lastSeq:${group.id}`), 11);
  again.leave();
  bob.leave();
});

test("a member removed from the group sees the feed end with FORBIDDEN", async () => {
  const alice = person(server, "alice-remove");
  const bob = person(server, "bob-remove");
  const { group } = await alice.joinChat("G-remove");
  const joined = await bob.joinChat("G-remove");
  const feed = bob.watch(group.id);
  await eventually(() => bob.phone.openSockets.size === 1, { what: "bob's socket" });
  await alice.post(group.id, "before");
  await eventually(() => feed.posted.length === 1, { what: "bob's first item" });

  const viewer = await bob.client.request("query { viewer { id } }");
  await alice.client.request(
    `mutation Remove($groupId: ID!, $userId: ID!) { removeMember(groupId: $groupId, userId: $userId) { status } }`,
    { groupId: group.id, userId: viewer.viewer.id },
  );
  await eventually(() => feed.errors.length > 0 || feed.completed, { what: "the end of bob's feed" });
  const subscribes = bob.phone.sentFrames.filter((f) => f.includes('"subscribe"')).length;
  await alice.post(group.id, "after");
  await sleep(500);

  assert.equal(joined.member.role, "MEMBER");
  assert.deepEqual(feed.errors.map((e) => e.code), ["FORBIDDEN"]);
  assert.deepEqual(feed.texts, ["before"]);
  assert.equal(
    bob.phone.sentFrames.filter((f) => f.includes('"subscribe"')).length,
    subscribes,
    "the feed is not subscribed again",
  );
  alice.leave();
  bob.leave();
});
