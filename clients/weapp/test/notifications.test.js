import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { person } from "./people.js";
import { startServer } from "./server.js";

const MENTION_TEMPLATE = "tmpl-mention-0001";
const REPLY_TEMPLATE = "tmpl-reply-00002";

let server;
before(async () => {
  server = await startServer({
    subscribeTemplates: {
      MENTION: { templateId: MENTION_TEMPLATE, data: { thing1: "{group}", thing2: "{text}" } },
      REPLY: { templateId: REPLY_TEMPLATE, data: { thing1: "{group}", thing2: "{text}" } },
    },
  });
});
after(() => server.stop());

const LEDGER = "query { viewer { messageSubscriptions { templateId status credits } } }";

test("a user who accepts the mention template in WeChat's dialog holds a credit for it", async () => {
  const alice = person(server, "alice-subscribe");

  const answer = await alice.client.requestNotifications(["MENTION"]);

  assert.deepEqual(alice.phone.subscribeAsks, [[MENTION_TEMPLATE]]);
  assert.deepEqual(answer, [{ templateId: MENTION_TEMPLATE, status: "ACCEPT", credits: 1 }]);
  const { viewer } = await alice.client.request(LEDGER);
  assert.deepEqual(
    viewer.messageSubscriptions.map(({ templateId, status, credits }) => ({ templateId, status, credits })),
    [{ templateId: MENTION_TEMPLATE, status: "ACCEPT", credits: 1 }],
  );
  alice.leave();
});

test("what the user turned down is recorded as such, and earns no credit", async () => {
  const bob = person(server, "bob-subscribe", { subscribeAnswers: { [REPLY_TEMPLATE]: "reject" } });

  const answer = await bob.client.requestNotifications(["MENTION", "REPLY"]);

  assert.deepEqual(bob.phone.subscribeAsks.map((ids) => [...ids].sort()), [[MENTION_TEMPLATE, REPLY_TEMPLATE]]);
  const byTemplate = Object.fromEntries(answer.map((s) => [s.templateId, [s.status, s.credits]]));
  assert.deepEqual(byTemplate, { [MENTION_TEMPLATE]: ["ACCEPT", 1], [REPLY_TEMPLATE]: ["REJECT", 0] });
  bob.leave();
});
