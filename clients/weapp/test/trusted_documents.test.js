import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { eventually, person, POST_ITEM } from "./people.js";
import { groupqlBin, serverEnv, startServer } from "./server.js";

const run = promisify(execFile);
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), "..");

let server;
let workDir;
before(async () => {
  // The manifest a team deploys: the package's own operations, plus the app's (here, posting).
  workDir = await mkdtemp(join(tmpdir(), "groupql-weapp-trusted-"));
  const operations = join(workDir, "operations");
  await run(process.execPath, [join(packageRoot, "scripts", "extract-operations.mjs"), operations]);
  await writeFile(join(operations, "PostItem.graphql"), POST_ITEM);
  const manifest = join(workDir, "trusted-documents.json");
  await run(groupqlBin, ["documents", "build", operations, "--out", manifest], { env: serverEnv() });
  server = await startServer({ settings: { GROUPQL_TRUSTED_DOCUMENTS: manifest } });
});
after(async () => {
  await server?.stop();
  await rm(workDir, { recursive: true, force: true });
});

test("against a server that runs only trusted documents, the client joins, posts and follows a feed", async () => {
  const alice = person(server, "alice-trusted", { persistedQueries: "trusted" });
  const bob = person(server, "bob-trusted", { persistedQueries: "trusted" });
  const { group } = await alice.joinChat("G-trusted");
  await bob.joinChat("G-trusted");
  const feed = alice.watch(group.id);
  await eventually(() => alice.phone.openSockets.size === 1, { what: "alice's socket" });

  await bob.post(group.id, "only trusted words here");

  await eventually(() => feed.posted.length === 1, { what: "bob's item" });
  assert.deepEqual(feed.texts, ["only trusted words here"]);
  assert.deepEqual(feed.errors, []);
  const bodies = [...alice.phone.graphqlBodies(), ...bob.phone.graphqlBodies()];
  assert.ok(bodies.length > 0);
  assert.ok(bodies.every((b) => b.query === undefined && b.extensions.persistedQuery.sha256Hash));
  alice.leave();
  bob.leave();
});

test("an operation the manifest does not list is refused", async () => {
  const alice = person(server, "alice-untrusted", { persistedQueries: "trusted" });
  await assert.rejects(alice.client.request("query { viewer { id openid } }"), {
    code: "PERSISTED_QUERY_NOT_FOUND",
  });
  alice.leave();
});
