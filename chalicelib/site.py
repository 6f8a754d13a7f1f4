"""Response headers of the static site, the same behind CloudFront and in the local stack."""

from __future__ import annotations


def security_headers(connect_sources: str = "") -> dict[str, str]:
    """Headers for every page of the site.

    `connect_sources` adds origins the page may open connections to (the
    signaling WebSocket when it is on another host).
    """
    connect = " ".join(filter(None, ["'self'", connect_sources]))
    csp = "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: blob:",
            "media-src 'self' blob:",
            "font-src 'self'",
            f"connect-src {connect}",
            "frame-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )
    return {
        "Content-Security-Policy": csp,
        "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        # Room links carry a capability token: never let it leave in a Referer.
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": "camera=(self), microphone=(self), display-capture=(), geolocation=(), payment=()",
    }
