"""GraphiQL served whole by groupql (its assets from groupql's own URL, or from the CDN setting),
and used in headless Chromium with the network closed."""

import itertools
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from groupql import graphiql
from groupql.app import create_app
from tests.conftest import TEST_SECRET_KEY, settings_for_test
from tests.test_cli import clean_env, free_port, groupql_command, wait_until_healthy

ROOT = Path(__file__).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_HEADERS = {"Accept": "text/html"}
CONTENT_TYPES = {".js": "javascript", ".css": "text/css"}
# Every other host unresolvable, and any request that still tries leaves by a proxy that is
# not there; loopback is never proxied by Chromium.
CLOSED_NETWORK = [
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
]
# --no-sandbox: the sandbox refuses to run as root, as in CI containers.
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
BROWSER_TIMEOUT_S = 30.0
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (.ci/run installs it)",
)


@pytest.fixture(scope="module")
def built_assets() -> None:
    """The assets, fetched as `make run` fetches them (a no-op once they are there)."""
    bin_dir = Path(sys.executable).parent
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    if shutil.which("npm", path=path) is None:
        pytest.skip("npm is not installed (pip install -e '.[test]' brings it)")
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "graphiql_assets.py")],
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert graphiql.assets_are_built()


async def page_client(**settings: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings_for_test(**settings))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.test") as http:
            yield http


def asset_urls(page: str) -> list[str]:
    """What the page fetches (the icon is inline, a data: URL)."""
    urls = re.findall(r'<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"', page)
    return [url for url in urls if not url.startswith("data:")]


async def test_the_page_loads_every_asset_from_groupql_itself(built_assets: None) -> None:
    async for http in page_client():
        page = await http.get("/graphql", headers=BROWSER_HEADERS)
        assert page.status_code == 200
        urls = asset_urls(page.text)
        assert len(urls) == len(graphiql.assets())
        for url in urls:
            assert url.startswith(graphiql.ASSETS_ROUTE + "/"), url
            asset = await http.get(url)
            assert asset.status_code == 200, url
            kind = CONTENT_TYPES[Path(url).suffix]
            assert kind in asset.headers["content-type"], (url, asset.headers["content-type"])


async def test_without_built_assets_the_page_loads_them_from_the_cdn_setting_and_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(graphiql, "ASSETS_DIR", tmp_path)
    mirror = "https://npm.mirror.example/"
    with caplog.at_level(logging.WARNING, logger="groupql"):
        async for http in page_client(graphiql_cdn=mirror):
            page = await http.get("/graphql", headers=BROWSER_HEADERS)
    urls = asset_urls(page.text)
    assert urls and all(url.startswith(mirror) for url in urls), urls
    warnings = [r.getMessage() for r in caplog.records if "GraphiQL" in r.getMessage()]
    assert warnings == [
        "GraphiQL's assets are not built (scripts/graphiql_assets.py needs npm): "
        f"the page loads them from {mirror}"
    ]


@pytest.fixture
def served(built_assets: None, tmp_path: Path) -> Iterator[str]:
    """A real `groupql serve`, at its base URL."""
    port = free_port()
    stderr_path = tmp_path / "stderr.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            [groupql_command(), "serve", "--port", str(port)],
            env=clean_env(GROUPQL_SECRET_KEY=TEST_SECRET_KEY),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5.0) as http:
            wait_until_healthy(process, http, stderr_path)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def rendered_dom(url: str) -> str:
    """The DOM of `url` after its scripts ran, in headless Chromium with only loopback reachable."""
    with tempfile.TemporaryDirectory(prefix="groupql-chromium-") as profile:
        done = subprocess.run(
            [
                str(CHROMIUM),
                *HEADLESS,
                f"--user-data-dir={profile}",
                *CLOSED_NETWORK,
                "--virtual-time-budget=15000",
                "--dump-dom",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


class Page:
    """A new tab of the browser at the other end of `devtools` (the Chrome DevTools Protocol)."""

    def __init__(self, devtools: ClientConnection) -> None:
        self._devtools = devtools
        self._ids = itertools.count(1)
        self._session_id: str | None = None
        target = self.call("Target.createTarget", url="about:blank")
        attached = self.call("Target.attachToTarget", targetId=target["targetId"], flatten=True)
        self._session_id = attached["sessionId"]

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self._ids)
        command = {"id": call_id, "method": method, "params": params}
        if self._session_id is not None:
            command["sessionId"] = self._session_id
        self._devtools.send(json.dumps(command))
        while True:
            # Events (no "id") are not answers.
            message = json.loads(self._devtools.recv(timeout=BROWSER_TIMEOUT_S))
            if message.get("id") == call_id:
                assert "error" not in message, (method, message["error"])
                return message["result"]

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in answer, (expression, answer["exceptionDetails"])
        return answer["result"].get("value")

    def wait_for(self, expression: str, until: Callable[[Any], bool] = bool) -> Any:
        """The value of `expression` once `until` holds for it."""
        deadline = time.monotonic() + BROWSER_TIMEOUT_S
        while not until(value := self.evaluate(expression)):
            assert time.monotonic() < deadline, f"{expression} is still {value!r}"
            time.sleep(0.1)
        return value

    def click(self, selector: str) -> None:
        """A left click in the middle of the element, as the mouse gives it."""
        box = self.wait_for(
            f"JSON.stringify(document.querySelector({json.dumps(selector)})?.getBoundingClientRect())"
        )
        rect = json.loads(box)
        x, y = rect["x"] + rect["width"] / 2, rect["y"] + rect["height"] / 2
        for event in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=event, x=x, y=y, button="left", clickCount=1)


@contextmanager
def browser_page(url: str, scratch: Path) -> Iterator[Page]:
    """`url` open in headless Chromium with only loopback reachable, its profile in `scratch`
    (Chromium's helper processes may still write there after it exits)."""
    profile, log = scratch / "chromium-profile", scratch / "chromium.log"
    with log.open("wb") as stderr:
        browser = subprocess.Popen(
            [
                str(CHROMIUM),
                *HEADLESS,
                f"--user-data-dir={profile}",
                *CLOSED_NETWORK,
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + BROWSER_TIMEOUT_S
        while (address := devtools_address(profile)) is None:
            assert browser.poll() is None, f"chromium exited: {log.read_text()}"
            assert time.monotonic() < deadline, f"no DevTools address: {log.read_text()}"
            time.sleep(0.05)
        with connect(address, max_size=None, proxy=None) as devtools:
            page = Page(devtools)
            page.call("Page.navigate", url=url)
            yield page
    finally:
        browser.terminate()
        browser.wait(timeout=10)


def devtools_address(profile: Path) -> str | None:
    """The browser's DevTools WebSocket, once Chromium has written the port it chose (for
    --remote-debugging-port=0) and the browser's path into the profile."""
    active_port = profile / "DevToolsActivePort"
    written = active_port.read_text().split() if active_port.exists() else []
    return f"ws://127.0.0.1:{written[0]}{written[1]}" if len(written) >= 2 else None


@needs_chromium
def test_graphiql_renders_its_editor_in_a_browser_with_no_network(served: str) -> None:
    dom = rendered_dom(f"{served}/graphql")
    assert "graphiql-query-editor" in dom, dom[:2000]
    assert "CodeMirror" in dom
    assert "Loading..." not in dom


@needs_chromium
def test_the_closed_network_keeps_the_browser_from_any_cdn(served: str) -> None:
    # The control for the test above: a page that needs unpkg never gets past "Loading...".
    page = httpx.get(f"{served}/graphql", headers=BROWSER_HEADERS).text
    on_cdn = page.replace(graphiql.ASSETS_ROUTE + "/", graphiql.UNPKG)
    with tempfile.NamedTemporaryFile("w", suffix=".html", dir=None, delete=False) as copy:
        copy.write(on_cdn)
    try:
        dom = rendered_dom(Path(copy.name).as_uri())
    finally:
        os.unlink(copy.name)
    assert "Loading..." in dom
    assert "graphiql-query-editor" not in dom


@needs_chromium
def test_graphiql_loads_the_schema_and_runs_a_query_with_the_token_in_its_headers_editor(
    served: str, tmp_path: Path
) -> None:
    login = httpx.post(
        f"{served}/graphql",
        json={"query": 'mutation { login(code: "alice") { token viewer { id } } }'},
    ).json()["data"]["login"]
    # Strawberry's page fills the query editor from ?q= and the headers editor from ?headers=;
    # GraphiQL sends what the headers editor holds with every request.
    headers = json.dumps({"Authorization": f"Bearer {login['token']}"})
    url = f"{served}/graphql?q={quote('{ viewer { id } }')}&headers={quote(headers)}"
    with browser_page(url, tmp_path) as page:
        page.click(".graphiql-sidebar button[aria-label='Show Documentation Explorer']")
        # A spinner, or "No GraphQL schema available", until GraphiQL's introspection query has
        # answered; then the root types, or "Error fetching schema".
        docs = page.wait_for(
            "document.querySelector('.graphiql-doc-explorer-content')?.innerText ?? ''",
            until=lambda text: "Root Types" in text or "Error" in text,
        )
        assert "query: Query" in docs, docs
        page.click(".graphiql-execute-button")
        result = page.wait_for(
            "document.querySelector('.result-window .CodeMirror')?.CodeMirror.getValue()"
        )
    assert json.loads(result) == {"data": {"viewer": {"id": login["viewer"]["id"]}}}
