"""One brief log line per refused request: what was refused, to whom, and why.

Refusals are the client's mistake or excess, not ours: INFO, no traceback, the client's address
and the user when known, never a token or a secret (messages quote at most 300 characters of the
request, and never a header).
"""

import logging

from groupql.observability.logs import FIELDS
from groupql.observability.metrics import observed

logger = logging.getLogger("groupql.refusals")

# Codes that are not refusals of the request: ours to log elsewhere (INTERNAL as an error,
# UNAVAILABLE as a warning).
_NOT_REFUSALS = frozenset({"INTERNAL", "UNAVAILABLE"})


def log_refusal(code: str, message: str, *, client: str, user_id: str | None = None) -> None:
    if code in _NOT_REFUSALS:
        return
    if (metrics := observed()) is not None:
        metrics.refusals.labels(code).inc()
    who = client if user_id is None else f"{client} (user {user_id})"
    fields = {"event": "refusal", "code": code, "client": client, "user_id": user_id}
    logger.info("refused %s from %s: %s", code, who, message, extra={FIELDS: fields})
