import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { person } from "./people.js";
import { startServer } from "./server.js";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

const MY_GROUPS = `query MyGroups { myGroups(first: 5) { edges { node { id openGId } } } }
`;

test("an operation's text goes over the network once; after that only its hash", async () => {
  const alice = person(server, "alice-apq");
  await alice.joinChat("G-apq");
  alice.phone.requests.length = 0;

  const first = await alice.client.request(MY_GROUPS);
  const second = await alice.client.request(MY_GROUPS);

  assert.deepEqual(second, first);
  assert.deepEqual(first.myGroups.edges.map((e) => e.node.openGId), ["G-apq"]);
  const bodies = alice.phone.graphqlBodies();
  // The hash alone, refused as unknown; then the text with its hash; then the hash alone.
  assert.deepEqual(
    bodies.map((b) => [typeof b.query === "string", b.extensions?.persistedQuery?.sha256Hash?.length]),
    [
      [false, 64],
      [true, 64],
      [false, 64],
    ],
  );
  assert.equal(new Set(bodies.map((b) => b.extensions.persistedQuery.sha256Hash)).size, 1);
  alice.leave();
});

test("with persisted queries off, every request carries the text", async () => {
  const bob = person(server, "bob-no-apq", { persistedQueries: false });
  await bob.client.login();
  bob.phone.requests.length = 0;

  await bob.client.request(MY_GROUPS);
  await bob.client.request(MY_GROUPS);

  assert.deepEqual(
    bob.phone.graphqlBodies().map((b) => [b.query, b.extensions]),
    [
      [MY_GROUPS, undefined],
      [MY_GROUPS, undefined],
    ],
  );
  bob.leave();
});
