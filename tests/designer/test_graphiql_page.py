"""The self-hosted GraphiQL page and the designer shell, checked in headless Chromium.

The browser checks are plain functions taking a base URL, so they can be pointed at any
running server; the tests feed them the `live_server` fixture (a real uvicorn serving the
app) from tests/conftest.py. Every request leaving the server's origin is aborted and
recorded, so a passing run proves the pages need nothing from the internet.

Chromium is Debian's (`apt-get install -y chromium`); `playwright install` is not needed.
The sync Playwright API runs in a worker thread, keeping the session event loop free.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Page,
    Playwright,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from starlette.applications import Starlette

from api.graphiql import GRAPHIQL_ASSETS, GRAPHIQL_ASSETS_PATH, graphiql_html, static_routes

CHROMIUM = os.environ.get("SCRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 20_000


def launch_chromium(p: Playwright) -> Browser:
    """Debian's Chromium, headless; fails with the install command if it is missing."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} not found: install it with `apt-get install -y chromium`")
    return p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


@dataclass
class PageWatch:
    """What a page tried to do: foreign requests (aborted), failed loads, script errors."""

    origin: str
    aborted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)

    def attach(self, page: Page) -> None:
        page.route("**/*", self._route)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("console", self._console)

    def _route(self, route: Route) -> None:
        if urlsplit(route.request.url).netloc != self.origin:
            self.aborted.append(route.request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _request_failed(self, request: Request) -> None:
        if request.url not in self.aborted:
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.request.resource_type != "fetch":
            self.failed.append(f"{response.url}: HTTP {response.status}")

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def problems(self) -> list[str]:
        found = [
            ("page requested foreign URLs (aborted)", self.aborted),
            ("page loads failed", self.failed),
            ("CSP violations", self.csp_violations),
            ("uncaught page errors", self.page_errors),
        ]
        return [f"{what}: {items}" for what, items in found if items]

    @contextmanager
    def explained(self) -> Iterator[None]:
        """Add what the page tried to load to any failure, since that is usually the cause."""
        try:
            yield
        except (AssertionError, PlaywrightError) as exc:
            problems = self.problems()
            if not problems:
                raise
            raise AssertionError(f"{exc}\n" + "\n".join(problems)) from exc
        assert not self.problems(), "\n".join(self.problems())


QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
OPEN_TOOL_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"


def set_editor(page: Page, selector: str, value: str) -> None:
    """Replace the text of a GraphiQL CodeMirror editor (typing would fight autoclose)."""
    page.locator(selector).first.evaluate("(el, v) => el.CodeMirror.setValue(v)", value)


def set_query(page: Page, query: str) -> None:
    """Set the query and wait until GraphiQL has parsed it.

    GraphiQL parses an edit 100 ms later; running before that uses the previous document,
    which decides the transport (a subscription would go over HTTP instead of websocket).
    """
    set_editor(page, QUERY_EDITOR, query)
    page.wait_for_function(
        """([el, text]) => {
            const ast = el.CodeMirror.documentAST;
            return Boolean(ast && ast.loc && ast.loc.source.body === text);
        }""",
        arg=[page.locator(QUERY_EDITOR).first.element_handle(), query],
    )


def run_graphiql_check(base_url: str, screenshot: str | None = None) -> None:
    """Load GraphiQL from `base_url`/graphql offline and run `{ __typename }` through it."""
    watch = PageWatch(origin=urlsplit(base_url).netloc)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(TIMEOUT_MS)
            watch.attach(page)
            with watch.explained():
                page.goto(f"{base_url}/graphql", wait_until="load")
                expect(page.locator(".graphiql-container")).to_be_visible(timeout=TIMEOUT_MS)
                expect(page.locator(QUERY_EDITOR)).to_be_visible(timeout=TIMEOUT_MS)
                # The headers editor is open by default: a pasted header must reach the server.
                expect(page.locator(OPEN_TOOL_EDITOR)).to_be_visible()
                set_editor(page, OPEN_TOOL_EDITOR, '{"X-GraphiQL-Check": "1"}')
                set_query(page, "{ __typename }")

                with page.expect_request(
                    lambda r: r.method == "POST" and "__typename }" in (r.post_data or "")
                ) as sent:
                    page.locator(".graphiql-execute-button").click()
                assert sent.value.headers.get("x-graphiql-check") == "1", sent.value.headers
                result = page.locator(".graphiql-response")
                expect(result).to_contain_text('"__typename"', timeout=TIMEOUT_MS)
                expect(result).to_contain_text('"Query"')
                if screenshot:
                    page.screenshot(path=screenshot)
        finally:
            browser.close()


def run_designer_login_check(
    base_url: str,
    tenant: str,
    email: str,
    password: str,
    expected_name: str,
    screenshot: str | None = None,
) -> None:
    """Sign in on `base_url`/designer/ and see "Signed in as <name> (<tenant name>)".

    An unknown user is tried first, to see the GraphQL error shown beside the form.
    """
    watch = PageWatch(origin=urlsplit(base_url).netloc)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            watch.attach(page)
            with watch.explained():
                page.goto(f"{base_url}/designer/", wait_until="load")
                expect(page).to_have_title("SCRM Designer")
                error = page.locator("#login-error")
                whoami = page.locator("#whoami")

                page.fill("#tenant", tenant)
                page.fill("#email", "no-such-user@invalid.test")
                page.fill("#password", "not-the-password")
                page.click("#login-submit")
                expect(error).to_be_visible(timeout=TIMEOUT_MS)
                expect(error).to_have_attribute("data-code", re.compile(r"\S"))
                expect(whoami).to_be_hidden()

                page.fill("#email", email)
                page.fill("#password", password)
                page.click("#login-submit")
                expect(whoami).to_have_text(
                    re.compile(rf"^Signed in as {re.escape(expected_name)} \(.+\)$"),
                    timeout=TIMEOUT_MS,
                )
                expect(error).to_be_hidden()
                token = page.evaluate("sessionStorage.getItem('scrm.accessToken')")
                assert token, "the access token was not kept in sessionStorage"

                page.reload(wait_until="load")  # the kept token signs the user straight back in
                expect(whoami).to_contain_text(f"Signed in as {expected_name}", timeout=TIMEOUT_MS)
                if screenshot:
                    page.screenshot(path=screenshot)
        finally:
            browser.close()


async def test_graphiql_renders_and_runs_a_query_offline(live_server: str) -> None:
    await asyncio.to_thread(run_graphiql_check, live_server)


async def test_graphiql_assets_are_served_by_the_backend(live_server: str) -> None:
    async with httpx.AsyncClient(base_url=live_server, timeout=10) as client:
        asset = await client.get(f"{GRAPHIQL_ASSETS_PATH}/graphiql.min.js")
        page = await client.get("/graphql", headers={"Accept": "text/html"})
        unknown = await client.get(f"{GRAPHIQL_ASSETS_PATH}/package.json")

    assert asset.status_code == 200
    assert asset.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert unknown.status_code == 404

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    sources = re.findall(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"([^\"]*)\"", page.text)
    assert f"{GRAPHIQL_ASSETS_PATH}/graphiql.min.js" in sources
    assert [s for s in sources if re.match(r"(?i)(https?:)?//", s)] == []
    assert "http://" not in page.text and "https://" not in page.text


async def test_designer_login_shows_who_is_signed_in(
    live_server: str, demo_admin: dict[str, str]
) -> None:
    await asyncio.to_thread(
        run_designer_login_check,
        live_server,
        demo_admin["tenant"],
        demo_admin["email"],
        demo_admin["password"],
        demo_admin["name"],
    )


def test_graphiql_page_references_only_our_assets() -> None:
    page = graphiql_html()
    sources = set(re.findall(r"\b(?:src|href)=\"([^\"]*)\"", page)) - {"data:,"}
    assert sources == {f"{GRAPHIQL_ASSETS_PATH}/{name}" for name in GRAPHIQL_ASSETS}
    assert "http://" not in page and "https://" not in page
    assert "GraphiQL.createFetcher" in page and "subscriptionUrl" in page


def test_graphiql_page_escapes_its_config() -> None:
    page = graphiql_html(endpoint="/graphql</script><script>alert(1)//")
    assert "</script><script>alert(1)" not in page


async def test_static_routes_serve_only_the_listed_assets_and_the_designer() -> None:
    app = Starlette(routes=static_routes())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://scrm.test") as client:
        for name in GRAPHIQL_ASSETS:
            response = await client.get(f"{GRAPHIQL_ASSETS_PATH}/{name}")
            assert response.status_code == 200, name
        for path in ("package.json", "../package.json", "graphiql.min.js.map", ""):
            response = await client.get(f"{GRAPHIQL_ASSETS_PATH}/{path}")
            assert response.status_code == 404, path
        shell = await client.get("/designer/")
    assert shell.status_code == 200
    assert "<title>SCRM Designer</title>" in shell.text


def test_static_routes_explain_how_to_install_missing_assets(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    with pytest.raises(RuntimeError, match=r"npm ci --prefix designer"):
        static_routes(tmp_path)
