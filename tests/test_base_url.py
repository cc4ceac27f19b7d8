"""The server's own address, as a request reached it (the base of media URLs when
GROUPQL_PUBLIC_URL is not set): what Starlette's `request.url` says, read without it."""

from typing import Any

import pytest
from starlette.requests import HTTPConnection, Request

from groupql.graphql_view import _base_url


def _scope(kind: str, scheme: str, server: Any, host: bytes | None) -> dict[str, Any]:
    headers = [(b"accept", b"*/*")] + ([(b"host", host)] if host is not None else [])
    return {
        "type": kind,
        "scheme": scheme,
        "server": server,
        "path": "/graphql",
        "query_string": b"a=1",
        "headers": headers,
    }


@pytest.mark.parametrize(
    ("kind", "scheme", "server", "host"),
    [
        ("http", "http", ("10.0.0.5", 8000), b"api.example.com"),
        ("http", "https", ("10.0.0.5", 443), b"api.example.com:8443"),
        ("http", "http", ("10.0.0.5", 80), None),
        ("http", "http", ("10.0.0.5", 8000), None),
        ("http", "https", ("10.0.0.5", 443), None),
        ("websocket", "wss", ("10.0.0.5", 443), b"api.example.com"),
        ("websocket", "ws", ("127.0.0.1", 9000), None),
        # Malformed Host headers: what a URL's parsing takes for the host.
        ("http", "https", ("10.0.0.5", 443), b"evil.example/x"),
        ("http", "http", ("10.0.0.5", 80), b"api.example.com?q=1"),
        ("http", "http", ("10.0.0.5", 80), b"api.example.com#frag"),
        ("http", "http", ("10.0.0.5", 80), b"api.example.com:99999"),
        ("http", "http", ("::1", 8000), None),
        ("http", "http", ("10.0.0.5", 80), b"[::1]:8000"),
    ],
)
def test_the_base_url_is_the_one_starlette_reads(
    kind: str, scheme: str, server: Any, host: bytes | None
) -> None:
    scope = _scope(kind, scheme, server, host)
    url = HTTPConnection(scope).url
    http_scheme = {"ws": "http", "wss": "https"}.get(url.scheme, url.scheme)
    expected = f"{http_scheme}://{url.netloc}"
    assert _base_url(Request(scope) if kind == "http" else HTTPConnection(scope)) == expected  # type: ignore[arg-type]
