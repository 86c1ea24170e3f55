"""Self-hosted GraphiQL page and the static routes for it and the designer shell.

This module owns:

* the GraphiQL HTML page served at ``/graphql`` to browsers (`graphiql_html`), which loads
  React, ReactDOM, GraphiQL and the explorer plugin only from our own origin under
  `GRAPHIQL_ASSETS_PATH`, so the explorer works on a closed network (strawberry's built-in
  page loads them from a public CDN and is blank offline);
* the Starlette routes (`static_routes`) that serve exactly those asset files out of
  ``designer/node_modules`` (installed with ``npm ci --prefix designer``, versions pinned in
  ``designer/package.json``) and the designer web app shell from ``designer/static`` at
  ``/designer``.

The page carries a Content-Security-Policy that only allows same-origin scripts, styles,
images and fonts (plus ``data:`` fonts/images inlined by GraphiQL's CSS), so a stray
external URL is blocked by the browser instead of silently working online only.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from collections.abc import Mapping
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

__all__ = [
    "DESIGNER_DIR",
    "GRAPHIQL_ASSETS",
    "GRAPHIQL_ASSETS_PATH",
    "TOKEN_STORAGE_KEY",
    "AssetFiles",
    "graphiql_html",
    "static_routes",
]

GRAPHIQL_ASSETS_PATH = "/static/graphiql"
"""URL prefix under which the GraphiQL assets are served (same origin as the API)."""

DESIGNER_DIR = Path(__file__).resolve().parent.parent / "designer"
"""The npm project holding the pinned front-end packages and the designer shell."""

GRAPHIQL_ASSETS: Mapping[str, str] = {
    "react.production.min.js": "react/umd/react.production.min.js",
    "react-dom.production.min.js": "react-dom/umd/react-dom.production.min.js",
    "graphiql.min.js": "graphiql/graphiql.min.js",
    "graphiql.min.css": "graphiql/graphiql.min.css",
    "plugin-explorer.umd.js": "@graphiql/plugin-explorer/dist/index.umd.js",
    "plugin-explorer.css": "@graphiql/plugin-explorer/dist/style.css",
}
"""Served file name under `GRAPHIQL_ASSETS_PATH` -> path inside ``designer/node_modules``."""

TOKEN_STORAGE_KEY = "scrm.accessToken"
"""sessionStorage key where the designer keeps its access token (GraphiQL reuses it)."""

_INSTALL_HINT = "run `npm ci --prefix designer` from the repository root"

_DEFAULT_QUERY = """\
# SCRM GraphQL API
#
# Authenticate in the "Headers" tab below, e.g.
#   {"Authorization": "Bearer <access token>"}
# Get a token with:
#   mutation {
#     login(input: {tenant: "acme", email: "me@acme.test", password: "..."}) {
#       accessToken
#       expiresAt
#     }
#   }
#
# Run: Ctrl-Enter (or the play button). Autocomplete: Ctrl-Space.

{
  __typename
}
"""

# The bootstrap script is constant (its inputs come from the JSON block below it), so its
# CSP hash is computed once and the page needs no 'unsafe-inline' for scripts.
_BOOTSTRAP_JS = """
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);

  function httpUrl(pathOrUrl) {
    return new URL(pathOrUrl, window.location.href).toString();
  }

  function websocketUrl(pathOrUrl) {
    var url = new URL(pathOrUrl, window.location.href);
    if (url.protocol === "http:") {
      url.protocol = "ws:";
    } else if (url.protocol === "https:") {
      url.protocol = "wss:";
    }
    url.hash = "";
    return url.toString();
  }

  function initialHeaders() {
    var token = null;
    try {
      token = window.sessionStorage.getItem(config.tokenStorageKey);
    } catch (error) {
      token = null;
    }
    if (!token) {
      return undefined;
    }
    return JSON.stringify({ Authorization: "Bearer " + token }, null, 2);
  }

  // createFetcher speaks graphql-transport-ws (graphql-ws) for subscriptions.
  var fetcher = GraphiQL.createFetcher({
    url: httpUrl(config.endpoint),
    subscriptionUrl: websocketUrl(config.subscriptionEndpoint),
  });

  var plugins = [];
  if (window.GraphiQLPluginExplorer) {
    plugins.push(window.GraphiQLPluginExplorer.explorerPlugin());
  }

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: plugins,
      defaultQuery: config.defaultQuery,
      defaultHeaders: initialHeaders(),
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
      inputValueDeprecation: true,
    })
  );
})();
"""

_BOOTSTRAP_SHA256 = base64.b64encode(hashlib.sha256(_BOOTSTRAP_JS.encode()).digest()).decode()

_CSP = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' 'sha256-{_BOOTSTRAP_SHA256}'",
        # GraphiQL, CodeMirror and React set inline styles.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        # Same-origin HTTP plus the subscription websocket (ws: / wss:).
        "connect-src 'self' ws: wss:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)

_PAGE = """<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta http-equiv="Content-Security-Policy" content="__CSP__" />
    <title>SCRM GraphiQL</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="__ASSETS__/graphiql.min.css" />
    <link rel="stylesheet" href="__ASSETS__/plugin-explorer.css" />
    <style>
      html, body { height: 100%; margin: 0; width: 100%; overflow: hidden; }
      #graphiql { height: 100vh; display: flex; }
    </style>
  </head>
  <body>
    <div id="graphiql">Loading GraphiQL…</div>
    <script id="graphiql-config" type="application/json">__CONFIG__</script>
    <script src="__ASSETS__/react.production.min.js"></script>
    <script src="__ASSETS__/react-dom.production.min.js"></script>
    <script src="__ASSETS__/graphiql.min.js"></script>
    <script src="__ASSETS__/plugin-explorer.umd.js"></script>
    <script>__BOOTSTRAP__</script>
  </body>
</html>
"""


def _json_for_script(value: object) -> str:
    """JSON that is safe inside a <script> element (no "</script>", no HTML comments)."""
    return (
        json.dumps(value, ensure_ascii=True)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )


def graphiql_html(endpoint: str = "/graphql", subscription_endpoint: str | None = None) -> str:
    """Return the complete GraphiQL page.

    ``endpoint`` is the HTTP GraphQL URL, normally a same-origin path. ``subscription_endpoint``
    defaults to ``endpoint``; a path (or http(s) URL) is turned into a ws:// or wss:// URL in the
    browser from ``location``, so the page works behind TLS-terminating proxies unchanged. All
    scripts and stylesheets come from `GRAPHIQL_ASSETS_PATH` on the same origin.
    """
    config = {
        "endpoint": endpoint,
        "subscriptionEndpoint": subscription_endpoint or endpoint,
        "tokenStorageKey": TOKEN_STORAGE_KEY,
        "defaultQuery": _DEFAULT_QUERY,
    }
    return (
        _PAGE.replace("__CSP__", html.escape(_CSP, quote=True))
        .replace("__ASSETS__", GRAPHIQL_ASSETS_PATH)
        .replace("__CONFIG__", _json_for_script(config))
        .replace("__BOOTSTRAP__", _BOOTSTRAP_JS)
    )


class AssetFiles(StaticFiles):
    """`StaticFiles` that serves only an explicit name -> file mapping (no directory walk)."""

    def __init__(self, files: Mapping[str, Path]) -> None:
        super().__init__(directory=None, check_dir=False)
        self.files = {name: Path(path) for name, path in files.items()}

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        file = self.files.get(path)
        if file is None:
            return "", None
        try:
            return str(file), file.stat()
        except FileNotFoundError:
            return "", None


def _graphiql_asset_files(designer_dir: Path) -> dict[str, Path]:
    node_modules = designer_dir / "node_modules"
    if not node_modules.is_dir():
        raise RuntimeError(
            f"GraphiQL assets are not installed: {node_modules} does not exist; {_INSTALL_HINT}."
        )
    files = {name: node_modules / rel for name, rel in GRAPHIQL_ASSETS.items()}
    missing = sorted(str(path) for path in files.values() if not path.is_file())
    if missing:
        raise RuntimeError(
            "GraphiQL assets are missing or stale (designer/package.json changed?): "
            f"{', '.join(missing)}; {_INSTALL_HINT}."
        )
    return files


def static_routes(designer_dir: Path = DESIGNER_DIR) -> list[BaseRoute]:
    """Routes for the GraphiQL assets and the designer shell, to add to the Starlette app.

    Raises RuntimeError (telling the user to run ``npm ci --prefix designer``) when the npm
    packages are not installed.
    """
    static_dir = designer_dir / "static"
    if not static_dir.is_dir():
        raise RuntimeError(f"Designer shell not found: {static_dir} does not exist.")
    return [
        Mount(
            GRAPHIQL_ASSETS_PATH,
            app=AssetFiles(_graphiql_asset_files(designer_dir)),
            name="graphiql-assets",
        ),
        Mount("/designer", app=StaticFiles(directory=static_dir, html=True), name="designer"),
    ]
