"""Security headers on every response, as plain ASGI middleware.

The pages need no inline script and no inline style, so the Content-Security-Policy allows only this server's
own files; whatever markup a label smuggles in cannot run. The one exception is the query editor page: the
vendored YASGUI inserts <style> elements for its resizable columns, so /sparql allows inline styles (never
inline scripts). Strict-Transport-Security belongs to the TLS-terminating proxy in front (docs/DEPLOYMENT.md).
"""

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
CSP_QUERY_EDITOR = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
]


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = (CSP_QUERY_EDITOR if scope["path"] == "/sparql" else CSP).encode()

        async def with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", csp))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)
