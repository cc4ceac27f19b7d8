import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { eventually, person, sleep, upTo } from "./people.js";
import { startServer } from "./server.js";

let server;
before(async () => {
  // A subscriber may fall only one event behind before the server interrupts its feed (1013).
  server = await startServer({ settings: { GROUPQL_SUBSCRIBER_BUFFER: "1" } });
});
after(() => server.stop());

test("a feed the server interrupts (1013) resumes without a gap or a duplicate", async () => {
  const alice = person(server, "alice-1013");
  const bob = person(server, "bob-1013");
  const carol = person(server, "carol-1013");
  const { group } = await alice.joinChat("G-1013");
  await bob.joinChat("G-1013");
  await carol.joinChat("G-1013");
  const feed = alice.watch(group.id);
  await eventually(() => alice.phone.openSockets.size === 1, { what: "alice's socket" });

  // Two members posting at once, faster than one event at a time can reach alice.
  const burst = (who, from) => Promise.all(upTo(20).map((n) => who.post(group.id, `${who.user} ${from + n}`)));
  await Promise.all([burst(bob, 0), burst(carol, 20)]);

  await eventually(() => feed.seqs.length >= 40, { what: "the 40 items", timeoutMs: 12_000 });
  await sleep(300);
  assert.deepEqual(feed.seqs, upTo(40));
  assert.deepEqual(feed.errors, []);
  assert.ok(
    alice.phone.socketCloses.some((c) => c.code === 1013),
    `the server interrupted the feed: ${JSON.stringify(alice.phone.socketCloses)}`,
  );
  alice.leave();
  bob.leave();
  carol.leave();
});

test("a socket that went silent is noticed by its pings and replaced", async () => {
  const alice = person(server, "alice-silent", { pingIntervalMs: 200 });
  const bob = person(server, "bob-silent");
  const { group } = await alice.joinChat("G-silent");
  await bob.joinChat("G-silent");
  const feed = alice.watch(group.id);
  await eventually(() => alice.phone.openSockets.size === 1, { what: "alice's socket" });
  await bob.post(group.id, "before");
  await eventually(() => feed.posted.length === 1, { what: "the first item" });
  await sleep(700); // answered pings keep a live socket open
  assert.equal(alice.phone.socketsOpened, 1);

  assert.equal(alice.phone.silenceSockets(), 1);
  await bob.post(group.id, "while silent");
  await bob.post(group.id, "after");

  await eventually(() => feed.posted.length >= 3, { what: "the items sent while silent" });
  await sleep(200);
  assert.deepEqual(feed.texts, ["before", "while silent", "after"]);
  assert.equal(alice.phone.socketsOpened, 2);
  alice.leave();
  bob.leave();
});
