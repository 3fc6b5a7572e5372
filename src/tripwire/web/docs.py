"""The API documentation page at ``/docs``: Swagger UI from the ``swagger-ui-bundle`` package, no CDN.

FastAPI's own ``/docs`` page loads Swagger UI from a public CDN and starts it
with an inline script, which the dashboard's Content-Security-Policy
(``script-src 'self'``) forbids and an offline analyst cannot load. Here the
Swagger UI files come from the installed ``swagger_ui_bundle`` package
(mounted at ``/docs/assets``) and the page starts it with a packaged script
(``/static/api-docs.js``), so the page works offline and under the CSP.
"""

from __future__ import annotations

from html import escape

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

#: Where the Swagger UI files are served.
ASSETS = "/docs/assets"


def docs_page(title: str, openapi_url: str) -> str:
    """The HTML of the documentation page for the OpenAPI document at ``openapi_url``."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{escape(title)} - API documentation</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
<link rel="icon" type="image/png" href="{ASSETS}/favicon-32x32.png">
</head>
<body>
<noscript><p>This page needs JavaScript. The OpenAPI document itself is at <a href="{escape(openapi_url)}">{escape(openapi_url)}</a>.</p></noscript>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def install_api_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (and its assets) from the installed Swagger UI bundle."""
    from swagger_ui_bundle import swagger_ui_path

    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui")
    page = docs_page(app.title, app.openapi_url or "/openapi.json")

    @app.get("/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(page)


__all__ = ["ASSETS", "docs_page", "install_api_docs"]
