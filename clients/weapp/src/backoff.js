// Reconnect delays: exponential backoff with full jitter.

/**
 * The delay before reconnect attempt `attempt` (0 first): a random time up to
 * min(maxDelayMs, minDelayMs * 2^attempt), so clients that lost the server together do not
 * all come back in the same instant.
 */
export function backoffDelayMs(attempt, { minDelayMs = 500, maxDelayMs = 30000 } = {}) {
  const ceiling = Math.min(maxDelayMs, minDelayMs * Math.pow(2, attempt));
  return Math.random() * ceiling;
}
