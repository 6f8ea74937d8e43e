"""Security headers on every answer: one plain ASGI middleware with the header lists built once.

Pages get a Content-Security-Policy without inline script (`script-src 'self'`: every script is
a file under /static, and no template has an inline <script>, an on* attribute or a javascript:
URL). `style-src` keeps 'unsafe-inline' because the floor plans place booths with style
attributes (grid-column/grid-row per booth, from the layout) and htmx adds its indicator
<style>; a style cannot run script, and every other source is 'self'.

`frame-ancestors 'none'` (and X-Frame-Options for older browsers) on every page, the scanner
and kiosk ones included: nothing of ours is framed. `Referrer-Policy: same-origin`: a ticket's
or a feed's address never reaches another site in a Referer, while our own forms keep sending
Origin (with `no-referrer` a browser sends `Origin: null` on same-origin posts, which the CSRF
Origin check would refuse). HSTS only in production, where FAIRS_BASE_URL is https.

The API documentation under /schema (Scalar, Swagger UI) is Litestar's: its pages load their
scripts and styles from jsDelivr and start them with an inline script, so they get a policy that
allows exactly that, and nothing else of the strict one is relaxed.
"""

from __future__ import annotations

from litestar.types import ASGIApp, Message, Receive, Scope, Send

STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self'; "
    "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
DOCS_CDN = "https://cdn.jsdelivr.net"
DOCS_CSP = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {DOCS_CDN} https://fonts.googleapis.com; "
    f"img-src 'self' data: {DOCS_CDN}; font-src 'self' data: {DOCS_CDN} "
    "https://fonts.gstatic.com; connect-src 'self'; worker-src 'self' blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HSTS = "max-age=31536000"


def header_list(csp: str, production: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"same-origin"),
        (b"cross-origin-opener-policy", b"same-origin"),
    ]
    if production:
        headers.append((b"strict-transport-security", HSTS.encode()))
    return headers


class SecurityHeaders:
    """Adds the security headers to every HTTP answer (the check-in's too: a list extended with
    a prepared list, nothing parsed per request)."""

    def __init__(self, app: ASGIApp, production: bool = False, docs_path: str = "/schema") -> None:
        self.app = app
        self.strict = header_list(STRICT_CSP, production)
        self.docs = header_list(DOCS_CSP, production)
        self.docs_path = docs_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs if scope["path"].startswith(self.docs_path) else self.strict

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]  # type: ignore[typeddict-unknown-key]
            await send(message)

        await self.app(scope, receive, with_headers)
