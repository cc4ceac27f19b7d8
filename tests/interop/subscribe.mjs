// Follows a group's feed with the graphql-ws client, an implementation of the
// graphql-transport-ws protocol independent of groupql's own stack.
//
//   GROUPQL_TOKEN=<token> node subscribe.mjs <ws url> <group id> <count> [after seq]
//
// Prints each event as one JSON line on stdout and exits 0 after <count> events;
// anything else (an error result, a closed socket, a timeout) exits 1 with the reason on stderr.
import { createClient } from "graphql-ws/client";
import WebSocket from "ws";

const FEED = `
subscription($groupId: ID!, $afterSeq: Int) {
  groupFeed(groupId: $groupId, afterSeq: $afterSeq) {
    __typename
    ... on ItemPosted { seq item { text author { id } } }
  }
}`;
const TIMEOUT_MS = 10_000;

const [url, groupId, countArg, afterSeqArg] = process.argv.slice(2);
const count = Number(countArg);
const afterSeq = afterSeqArg === undefined ? null : Number(afterSeqArg);

function fail(reason) {
  process.stderr.write(`${reason}\n`);
  process.exit(1);
}

let isDone = false;
const timeout = setTimeout(() => fail(`timed out after ${TIMEOUT_MS} ms`), TIMEOUT_MS);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${process.env.GROUPQL_TOKEN}` },
  retryAttempts: 0,
  on: {
    closed: (event) => isDone || fail(`socket closed: ${event.code} ${event.reason}`),
  },
});

let received = 0;
try {
  for await (const result of client.iterate({ query: FEED, variables: { groupId, afterSeq } })) {
    if (result.errors) fail(`errors: ${JSON.stringify(result.errors)}`);
    process.stdout.write(`${JSON.stringify(result.data.groupFeed)}\n`);
    received += 1;
    if (received === count) break;
  }
} catch (error) {
  fail(`subscription failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`);
}
if (received < count) fail(`the server completed the feed after ${received} of ${count} events`);
isDone = true;
clearTimeout(timeout);
await client.dispose();
