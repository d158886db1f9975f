"""Exact redirect URI matching (SECURITY.md 10.4.1; RFC 9700 §2.1), with the one exception RFC 8252 §7.3 makes.

django-oauth-toolkit compares parsed parts (scheme and host case-folded, userinfo ignored on the requested side);
this compares strings. A registered `http://127.0.0.1/…` or `http://[::1]/…` (a native app's loopback listener)
matches the same string with any port inserted after the host, because the app only learns its port when it
starts listening; every other character must still be identical.

Plain `http` is for that loopback listener only: a registered `http://` address on any other host never matches,
so a client registered by mistake with one cannot receive codes in clear text. This is what lets settings.py
silence django-oauth-toolkit's RFC 9700 check on `http` being an allowed scheme.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LOOPBACK = re.compile(r"^http://(127\.0\.0\.1|\[::1\])(/.*)?$")


def redirect_uri_matches(requested: str, registered: Iterable[str]) -> bool:
    return any(_matches(requested, uri) for uri in registered)


def _matches(requested: str, registered: str) -> bool:
    loopback = _LOOPBACK.match(registered)
    if registered.startswith("http:") and loopback is None:
        return False
    if requested == registered:
        return True
    if loopback is None:
        return False
    host, rest = loopback.group(1), loopback.group(2) or ""
    pattern = re.escape(f"http://{host}") + r":([1-9][0-9]{0,4})" + re.escape(rest)
    found = re.fullmatch(pattern, requested)
    return found is not None and int(found.group(1)) <= 65535
