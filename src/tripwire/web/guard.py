"""What every response of the web app carries, and which ``Host`` it answers to.

:class:`HostAndHeaders` is the outermost ASGI middleware:

* **Host check.** A request whose ``Host`` header names none of the
  ``allowed_hosts`` setting (comma-separated; ``*`` allows any) is refused
  with a 400 in the JSON error envelope before it reaches a route. This is
  the defence against DNS rebinding: a hostile page whose name was rebound to
  ``127.0.0.1`` makes the browser send its own name as ``Host``, so it cannot
  read the open GET endpoints of a dashboard on the analyst's machine.
* **Security headers** on every response: ``Content-Security-Policy``
  (scripts and everything else from this origin only, no framing, no plugins;
  inline ``style`` attributes are allowed because the ACH matrix and the
  probability bars use them), ``X-Frame-Options: DENY``,
  ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: no-referrer``.
  The API docs at ``/docs`` are served from the installed Swagger UI bundle and
  started by a packaged script (:mod:`.docs`), so they live under the same CSP.
"""

from __future__ import annotations

from typing import Any

from .api import envelope

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


def parse_hosts(text: str) -> frozenset[str]:
    """The ``allowed_hosts`` setting as a set of lower-case names (IPv6 literals without brackets)."""
    return frozenset(h.strip().lower().strip("[]") for h in text.split(",") if h.strip())


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without its port (``[::1]:8000`` -> ``::1``)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    name, _, port = header.rpartition(":")
    return name if name and port.isdigit() else header


class HostAndHeaders:
    """ASGI middleware: refuse unknown ``Host`` headers, add the security headers to every response."""

    def __init__(self, app: Any, allowed_hosts: str) -> None:
        self.app = app
        self.allowed = parse_hosts(allowed_hosts)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [*HEADERS, (b"content-security-policy", CSP.encode())]
                names = {k for k, _ in extra}
                message = {**message, "headers": [(k, v) for k, v in message.get("headers", []) if k.lower() not in names] + extra}
            await send(message)

        if "*" not in self.allowed:
            hosts = [v.decode("latin-1") for k, v in scope.get("headers") or [] if k == b"host"]
            if len(hosts) != 1 or host_name(hosts[0]) not in self.allowed:
                shown = hosts[0][:100] if hosts else "(none)"
                refusal = envelope(400, "invalid_host", f"this server does not answer to Host {shown!r} (setting allowed_hosts)")
                await refusal(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


__all__ = ["CSP", "HostAndHeaders", "host_name", "parse_hosts"]
