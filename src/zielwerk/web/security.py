"""Security headers on every response, and the client address behind trusted proxies only.

Client address (issue 12, point 5): ``X-Forwarded-For`` is honoured only when the connection comes
from a configured proxy (``WebConfig.trusted_proxies``, default none). Then the client is the
rightmost address in the header that is not itself a trusted proxy (each proxy appends the address it
saw; entries to the left can be forged by the client). Otherwise the header is ignored. The server
is started with uvicorn's own proxy handling switched off (``proxy_headers=False`` in
``zielwerk/serve.py``), so ``request.client`` is the peer address until this middleware replaces it.

CSP: everything from this server only (no CDN). ``'unsafe-eval'`` is allowed for scripts because
Vega compiles its expression language with ``new Function``; there is no inline script anywhere.
Inline styles are allowed because Vega-Embed and htmx set element styles.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: limits of a server path typed into a form (Linux: 255 bytes per name, 4096 per path)
MAX_PATH_CHARS = 1024
MAX_NAME_BYTES = 255


def path_input_error(text: str, what: str = "Ordner") -> str | None:
    """A German message if ``text`` cannot be a server path (too long, a name over 255 bytes, NUL or
    control characters), else ``None``. Call it before touching the file system with user input."""
    if len(text) > MAX_PATH_CHARS:
        return f"Der Pfad zum {what} ist zu lang ({len(text)} Zeichen, höchstens {MAX_PATH_CHARS})."
    if any(ord(c) < 32 for c in text):
        return f"Der Pfad zum {what} enthält Steuerzeichen."
    for name in text.replace("\\", "/").split("/"):
        if len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
            return (f"Ein Name im Pfad zum {what} ist zu lang (höchstens {MAX_NAME_BYTES} Bytes je Ordner- "
                    "oder Dateiname).")
    return None


def parse_proxies(entries: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks; a bad entry is a configuration error with a German message."""
    out = []
    for entry in entries:
        try:
            out.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"Vertrauenswürdiger Proxy „{entry}“ ist keine IP-Adresse oder kein Netz "
                             "(z. B. 10.0.0.5 oder 10.0.0.0/24).") from exc
    return tuple(out)


def _is_trusted(host: str, proxies: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in net for net in proxies)


def client_address(peer: str, forwarded_for: list[str], proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the rightmost
    ``X-Forwarded-For`` entry that is not a trusted proxy (the peer itself if there is none)."""
    if not proxies or not _is_trusted(peer, proxies):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a garbled header from a trusted proxy: keep the proxy's address
    return peer


def _resolve_client(scope: Scope) -> None:
    app = scope.get("app")
    config = getattr(getattr(app, "state", None), "config", None)
    proxies = getattr(config, "trusted_proxies", ())
    client = scope.get("client")
    if not proxies or not client:
        return
    nets = _PARSED.get(proxies)
    if nets is None:
        nets = _PARSED[proxies] = parse_proxies(proxies)
    forwarded = [v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-for"]
    host = client_address(client[0], forwarded, nets)
    if host != client[0]:
        scope["client"] = (host, 0)


_PARSED: dict[tuple[str, ...], tuple[Network, ...]] = {}


class SecurityHeaders:
    """ASGI middleware adding :data:`HEADERS` (dynamic responses are not cached) and setting the
    client address from ``X-Forwarded-For`` of trusted proxies only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _resolve_client(scope)
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(HEADERS)
                if not static:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
