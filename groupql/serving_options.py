"""How uvicorn serves the app: the options `groupql serve` runs it with, which the tests' servers
use too (so that they test what production runs)."""

from typing import Any

from groupql.config import Settings
from groupql.websocket_protocol import LeanSocket


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    return {
        # The app reads X-Forwarded-For itself, from GROUPQL_TRUSTED_PROXIES only.
        "proxy_headers": False,
        # A WebSocket message is held to the HTTP body limit (uvicorn closes with 1009 beyond).
        "ws_max_size": settings.max_request_bytes,
        # websockets' Sans-I/O protocol: no tasks of its own per socket (the legacy one keeps
        # three, and pings on its own beside graphql-transport-ws's pings); lighter still.
        "ws": LeanSocket,
        # The GraphQL protocols ping (GROUPQL_WS_PING_INTERVAL_S): no second ping per socket.
        "ws_ping_interval": None,
        # No permessage-deflate: its state is ~57 KiB a socket (more than all the rest), for live
        # events of a few hundred bytes; wx.connectSocket does not ask for it unless told to.
        "ws_per_message_deflate": False,
    }
