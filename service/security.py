"""Response headers every page gets, and the cookie settings (SECURITY.md of the service in docs/service.md).

CSP allows only this site's own scripts and styles (no inline script: charts read their data from
`data-` attributes); pages that may show a student's data are never stored by the browser.
"""

from __future__ import annotations

from flask import Response, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")  # fmt: skip


def headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        # any page may carry a student's name: never kept in the browser's cache or history store
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
    return response
