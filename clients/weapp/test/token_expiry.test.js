import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { eventually, person, sleep, upTo } from "./people.js";
import { startServer } from "./server.js";

let server;
before(async () => {
  // Sessions last a day, and the server's clock can be moved past that.
  server = await startServer({ movableClock: true, settings: { GROUPQL_SESSION_TTL_DAYS: "1" } });
});
after(() => server.stop());

test("when the token expires mid-stream, the feed logs in again (4401) and carries on", async () => {
  const alice = person(server, "alice-expiry");
  const bob = person(server, "bob-expiry");
  const { group } = await alice.joinChat("G-expiry");
  await bob.joinChat("G-expiry");
  const feed = alice.watch(group.id);
  await eventually(() => alice.phone.openSockets.size === 1, { what: "alice's socket" });
  for (const n of upTo(5)) await bob.post(group.id, `item ${n}`);
  await eventually(() => feed.seqs.length === 5, { what: "5 items before the expiry" });

  await server.advanceClock(); // both tokens are now expired
  assert.equal(alice.phone.dropSockets(), 1); // the socket comes back with the expired token
  // Bob's next post is refused UNAUTHENTICATED: his client logs in again and posts.
  for (const n of [6, 7, 8, 9, 10]) await bob.post(group.id, `item ${n}`);

  await eventually(() => feed.seqs.length >= 10, { what: "the items posted after the expiry" });
  await sleep(200);
  assert.deepEqual(feed.seqs, upTo(10));
  assert.deepEqual(feed.errors, []);
  assert.deepEqual(
    alice.phone.socketCloses.map((c) => c.code),
    [1006, 4401],
    "dropped by the network, then refused for the expired token",
  );
  assert.equal(alice.phone.logins, 2, "alice logged in again once");
  assert.equal(bob.phone.logins, 2, "bob logged in again once");
  alice.leave();
  bob.leave();
});
