"""Where a download may go: http(s) on every redirect hop, public addresses only, within one deadline.

:func:`guarded_opener` builds a ``urllib`` opener for one download that

* knows only ``http`` and ``https`` (no ``ftp:``, ``file:`` or ``data:``
  handler), and re-checks the scheme of every redirect target before
  following it;
* resolves each host itself at connect time and connects to the address it
  checked, refusing loopback, private, link-local, multicast, reserved and
  other non-global addresses (IPv4-mapped IPv6 included) unless the
  ``allow_private_addresses`` setting is true. Because the check is made on
  the address actually connected to, a name that resolves to a public address
  once and to ``127.0.0.1`` the next time (DNS rebinding) gains nothing;
* connects directly (proxies from the environment are not used: through a
  proxy the address of the final host could not be checked);
* keeps every socket it opened so :class:`Deadline` can shorten their timeouts
  as the overall time for the download runs out.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

#: Schemes a download may start at or be redirected to.
ALLOWED_SCHEMES = ("http", "https")


class RefusedAddress(OSError):
    """Every address a host resolves to is one downloads may not reach."""


class RefusedRedirect(OSError):
    """A redirect to a scheme other than http(s)."""


class DeadlineExceeded(TimeoutError):
    """The download ran past its overall deadline."""


def address_class(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why a download may not connect to ``ip`` ("loopback", "private", ...), or None for a public address."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:
        ip = mapped
    for name in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-")
    if not ip.is_global:
        return "not globally routable"
    return None


@dataclass
class Deadline:
    """The overall time one download may take, and the sockets it runs on."""

    seconds: float
    timeout: float
    started: float = field(default_factory=time.monotonic)
    sockets: list[socket.socket] = field(default_factory=list)

    def remaining(self) -> float:
        """Seconds left; raises :class:`DeadlineExceeded` when none are."""
        left = self.seconds - (time.monotonic() - self.started)
        if left <= 0:
            raise DeadlineExceeded(f"the download took longer than {self.seconds:g} s")
        return left

    def expired(self) -> bool:
        """True once the time is up (a read cut short by :meth:`tighten` then counts as the deadline's)."""
        return time.monotonic() - self.started >= self.seconds - 0.05

    def next_timeout(self) -> float:
        """The timeout for the next network wait: ``timeout``, or less when the deadline is closer."""
        return min(self.timeout, self.remaining())

    def tighten(self) -> None:
        """Set every open socket's timeout to :meth:`next_timeout` (call before each read)."""
        wait = self.next_timeout()
        for sock in self.sockets:
            if sock.fileno() != -1:
                sock.settimeout(wait)


@dataclass
class Guard:
    """The connection policy of one download."""

    allow_private: bool
    deadline: Deadline

    def create_connection(self, address: tuple[str, int], timeout: Any = None, source_address: Any = None) -> socket.socket:
        """Like :func:`socket.create_connection`, but only to addresses the policy allows, within the deadline."""
        host, port = address
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise OSError(f"cannot resolve {host}: {exc.strerror or exc}") from None
        refused: list[str] = []
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
            why = None if self.allow_private else address_class(ip)
            if why is not None:
                refused.append(f"{ip} ({why})")
                continue
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(self.deadline.next_timeout())
                if source_address:
                    sock.bind(source_address)
                sock.connect(sockaddr)
                return sock
            except OSError as exc:
                sock.close()
                error = exc
        if error is not None:
            raise error
        raise RefusedAddress(
            f"{host} resolves to {', '.join(dict.fromkeys(refused))}, which downloads may not reach (setting allow_private_addresses)"
        )


def _connection(base: type[http.client.HTTPConnection], guard: Guard) -> type[http.client.HTTPConnection]:
    class Guarded(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._create_connection = guard.create_connection

        def connect(self) -> None:
            super().connect()
            guard.deadline.sockets.append(self.sock)

    return Guarded


class _RedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to http(s), checked before urllib looks at the target."""

    def http_error_302(self, req: Any, fp: Any, code: int, msg: str, headers: Any) -> Any:
        target = headers.get("Location") or headers.get("URI")
        if target:
            newurl = urllib.parse.urljoin(req.full_url, target.strip())
            if urllib.parse.urlsplit(newurl).scheme.lower() not in ALLOWED_SCHEMES:
                fp.close()
                raise RefusedRedirect(f"{req.full_url} redirects to {newurl!r}, which is not an http(s) URL")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302


def guarded_opener(*, allow_private: bool, deadline: Deadline) -> urllib.request.OpenerDirector:
    """An opener for one download under the policy described in this module."""
    guard = Guard(allow_private=allow_private, deadline=deadline)
    plain, secure = _connection(http.client.HTTPConnection, guard), _connection(http.client.HTTPSConnection, guard)

    class HTTP(urllib.request.HTTPHandler):
        def http_open(self, req: Any) -> Any:
            return self.do_open(plain, req)

    class HTTPS(urllib.request.HTTPSHandler):
        def https_open(self, req: Any) -> Any:
            return self.do_open(secure, req, context=self._context)

    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.UnknownHandler(), HTTP(), HTTPS(), urllib.request.HTTPDefaultErrorHandler(), _RedirectHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


__all__ = ["ALLOWED_SCHEMES", "Deadline", "DeadlineExceeded", "Guard", "RefusedAddress", "RefusedRedirect", "address_class", "guarded_opener"]
