// The group page served by graphql-yoga from records in memory, for `python -m benchmarks http`.
// Usage: node yoga.mjs PORT RECORDS_JSON [--jit]
// It does what groupql does for the page, short of a store: finds the viewer by the SHA-256 of
// the bearer token, refuses a non-member, and reads each member's user and each item's author by
// id. Cursors are groupql's: urlsafe base64 of "<list>:<position>", padded.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { useGraphQlJit } from "@envelop/graphql-jit";
import { GraphQLError } from "graphql";
import { createSchema, createYoga } from "graphql-yoga";

const DEFAULT_PAGE_SIZE = 20;

const [port, recordsPath, ...flags] = process.argv.slice(2);
const records = JSON.parse(readFileSync(recordsPath, "utf8"));
const users = new Map(records.users.map((user) => [user.id, user]));
const sessions = new Map(Object.entries(records.sessions));
const group = {
  ...records.group,
  memberIds: new Set(records.members.map((member) => member.userId)),
  members: records.members,
  items: records.items,
};

function viewerOf(request) {
  const [scheme, token] = (request.headers.get("authorization") || "").split(" ");
  if (scheme !== "Bearer" || !token) return null;
  return sessions.get(createHash("sha256").update(token).digest("hex")) ?? null;
}

function cursor(list, position) {
  return Buffer.from(`${list}:${position}`).toString("base64").replaceAll("+", "-").replaceAll("/", "_");
}

function page(nodes, first, list, position) {
  const edges = nodes
    .slice(0, first ?? DEFAULT_PAGE_SIZE)
    .map((node) => ({ cursor: cursor(list, position(node)), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: edges.length < nodes.length,
      hasPreviousPage: false,
      startCursor: edges.length ? edges[0].cursor : null,
      endCursor: edges.length ? edges[edges.length - 1].cursor : null,
    },
  };
}

const resolvers = {
  Query: {
    group(_, { id }, { viewerId }) {
      if (viewerId === null) {
        throw new GraphQLError("Log in first.", { extensions: { code: "UNAUTHENTICATED" } });
      }
      if (id !== group.id || !group.memberIds.has(viewerId)) {
        throw new GraphQLError("Not a member.", { extensions: { code: "FORBIDDEN" } });
      }
      return group;
    },
  },
  Group: {
    members: (parent, { first }) => page(parent.members, first, "members", (member) => member.id),
    items: (parent, { first }) => page(parent.items, first, "items", (item) => item.seq),
  },
  Member: { user: (member) => users.get(member.userId) },
  GroupItem: { author: (item) => users.get(item.authorId) },
};

const yoga = createYoga({
  schema: createSchema({
    typeDefs: readFileSync(new URL("page.graphql", import.meta.url), "utf8"),
    resolvers,
  }),
  context: ({ request }) => ({ viewerId: viewerOf(request) }),
  healthCheckEndpoint: "/healthz",
  plugins: flags.includes("--jit") ? [useGraphQlJit()] : [],
});

createServer(yoga).listen(Number(port), "127.0.0.1");
