// Persisted queries: how a document travels over HTTP — as text, as an APQ hash that falls back
// to text, or as a trusted-document hash only.

import { sha256Hex } from "./sha256.js";

export const PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND";

const hashes = new Map();

/** The lowercase hex SHA-256 of the document's UTF-8 text, as the server computes it. */
export function hashOf(query) {
  let hash = hashes.get(query);
  if (hash === undefined) {
    hash = sha256Hex(query);
    hashes.set(query, hash);
  }
  return hash;
}

/**
 * A function that sends (query, variables, token) with `post` as `mode` says and resolves with
 * the GraphQL response:
 * - "apq": the hash alone first; on PERSISTED_QUERY_NOT_FOUND the same request with the query,
 *   which the server then keeps under its hash;
 * - "trusted": the hash alone (the server runs only the documents of its manifest);
 * - false: the query text.
 */
export function createSender(post, mode) {
  if (mode !== "apq" && mode !== "trusted" && mode !== false) {
    throw new TypeError('persistedQueries must be "apq", "trusted" or false');
  }
  return async function send(query, variables, token) {
    if (mode === false) return post({ query, variables }, token);
    const extensions = { persistedQuery: { version: 1, sha256Hash: hashOf(query) } };
    const answer = await post({ variables, extensions }, token);
    if (mode === "apq" && codeOf(answer) === PERSISTED_QUERY_NOT_FOUND) {
      return post({ query, variables, extensions }, token);
    }
    return answer;
  };
}

function codeOf(answer) {
  const first = answer.errors && answer.errors[0];
  return first && first.extensions && first.extensions.code;
}
