// The graphql-http audit (the GraphQL-over-HTTP spec's own test suite) against a server:
// `node audit.mjs URL`. Prints one JSON line per audit: {id, name, status, reason}.
import { auditServer } from "graphql-http";

const url = process.argv[2];
const results = await auditServer({ url });
for (const result of results) {
  const reason = result.status === "ok" ? undefined : result.reason;
  console.log(JSON.stringify({ id: result.id, name: result.name, status: result.status, reason }));
}
