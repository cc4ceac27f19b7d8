"""Which driver failures mean the database is unavailable (retry shortly), not a bug."""

from pymongo.errors import ConnectionFailure, ExecutionTimeout, OperationFailure, WriteConcernError

# Server errors a replica set answers while it elects a primary, steps down or shuts down
# (MongoDB's error codes): a client retrying shortly will find the new primary.
_TRANSIENT_CODES = frozenset(
    {
        6,  # HostUnreachable
        7,  # HostNotFound
        89,  # NetworkTimeout
        91,  # ShutdownInProgress
        189,  # PrimarySteppedDown
        262,  # ExceededTimeLimit
        9001,  # SocketException
        10107,  # NotWritablePrimary
        11600,  # InterruptedAtShutdown
        11602,  # InterruptedDueToReplStateChange
        13435,  # NotPrimaryNoSecondaryOk
        13436,  # NotPrimaryOrSecondary
    }
)


def is_outage(error: BaseException) -> bool:
    """Whether `error` says the database could not answer (down, electing, too slow), so the
    request may succeed if retried shortly."""
    if isinstance(error, ConnectionFailure | ExecutionTimeout | WriteConcernError):
        # Connection failures, not-primary, server selection, wait-queue and network timeouts;
        # maxTimeMS; a write that could not reach a majority in time.
        return True
    if isinstance(error, OperationFailure):
        return error.timeout or error.code in _TRANSIENT_CODES
    return bool(getattr(error, "timeout", False))  # client-side operation timeouts (timeoutMS)
