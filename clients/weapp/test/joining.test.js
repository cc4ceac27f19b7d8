import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { person } from "./people.js";
import { startServer } from "./server.js";

let server;
before(async () => {
  server = await startServer();
});
after(() => server.stop());

test("a user logs in and keeps the token on the phone", async () => {
  const alice = person(server, "alice-login");
  const { token, viewer } = await alice.client.login();
  assert.ok(token);
  assert.match(viewer.openid, /^dev-/);
  assert.equal(alice.phone.wx.getStorageSync("groupql:token"), token);
  alice.leave();
});

test("opening a card shared in a chat joins its group, the first one in owning it", async () => {
  const alice = person(server, "alice-join");
  const bob = person(server, "bob-join");
  await alice.client.login();

  const first = await alice.joinChat("G-hike");
  assert.equal(first.groupCreated, true);
  assert.equal(first.group.openGId, "G-hike");
  assert.equal(first.group.memberCount, 1);
  assert.deepEqual([first.member.role, first.member.status], ["OWNER", "ACTIVE"]);

  // Bob never logged in before: joining logs him in first.
  const second = await bob.joinChat("G-hike");
  assert.equal(second.groupCreated, false);
  assert.equal(second.group.id, first.group.id);
  assert.equal(second.group.memberCount, 2);
  assert.deepEqual([second.member.role, second.member.status], ["MEMBER", "ACTIVE"]);
  assert.equal(bob.phone.logins, 1);
  alice.leave();
  bob.leave();
});

test("a launch without a shareTicket joins nothing", async () => {
  const alice = person(server, "alice-plain-launch");
  assert.equal(await alice.client.joinFromLaunch({ path: "pages/index/index", scene: 1001, query: {} }), null);
  assert.equal(await alice.client.joinFromLaunch(undefined), null);
  assert.equal(alice.phone.shareInfoReads, 0);
  alice.leave();
});

test("a session key WeChat rotated is recovered: log in again, read the share info again", async () => {
  const alice = person(server, "alice-stale");
  await alice.client.login();
  alice.phone.rotateSessionKey();

  const joined = await alice.joinChat("G-stale");

  assert.equal(joined.groupCreated, true);
  assert.equal(joined.group.openGId, "G-stale");
  assert.equal(alice.phone.logins, 2);
  assert.equal(alice.phone.shareInfoReads, 2);
  alice.leave();
});
