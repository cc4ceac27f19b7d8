"""groupql's app, as `groupql serve` runs it, with a clock that SIGUSR1 moves a day forward.

The client tests use it to expire a token while a feed is open: with the in-memory store a
restart would forget the groups too, and no setting makes a session shorter than a day.
"""

import argparse
import signal
from datetime import datetime, timedelta
from types import FrameType

import uvicorn

from groupql.app import create_app
from groupql.config import Settings
from groupql.services.clock import utc_now

# More than GROUPQL_SESSION_TTL_DAYS=1, which the test sets.
STEP = timedelta(days=1, minutes=1)

_offset = timedelta()


def clock() -> datetime:
    return utc_now() + _offset


def _advance(signum: int, frame: FrameType | None) -> None:
    global _offset
    _offset += STEP
    print("clock advanced", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    signal.signal(signal.SIGUSR1, _advance)
    settings = Settings()
    uvicorn.run(
        create_app(settings, clock=clock),
        host=args.host,
        port=args.port,
        proxy_headers=False,
        ws_max_size=settings.max_request_bytes,
    )


if __name__ == "__main__":
    main()
