"""The nonce every bank login carries: issued by us, bound to the browser, echoed in the signed answer, used once.

Why not simply the session: the bank posts the answer back **cross-site**, and our session cookie is
``SameSite=Lax``, so a browser does not send it with that POST. Loosening the session cookie would expose every
logged-in page to cross-site POSTs; instead:

- the pending login lives **server-side in the cache**, keyed by the nonce (bank, creation time, and a hash of
  a browser-binding secret); the session also records it when the cookie is there (demo, same site);
- the browser is bound by a dedicated short-lived cookie ``selfcare_banklink`` holding that secret, HttpOnly
  and ``SameSite=None; Secure`` in production (sent with the bank's top-level POST; it grants nothing by
  itself). Browsers refuse ``SameSite=None`` without HTTPS, so with ``SELFCARE_HTTPS`` off it is ``Lax`` (the demo's
  simulators post from the same site). Without it, anyone holding a fresh signed answer could log a victim's
  browser into the answer's account (login CSRF);
- the answer is checked in this order: signature (so the nonce is the bank's word), nonce used before →
  ``replay``, unknown nonce → ``wrong_nonce``, cookie secret mismatch → ``browser_mismatch``, too old →
  ``stale``; then it is consumed atomically (``cache.add``), so two racing posts cannot both log in.

Where the bank echoes nothing of ours (SEB's historic answer, ``nonce_echoed`` false in its profile) the pending
login is found by the browser-binding cookie instead: the same single-use, short-lived record, looked up by the
cookie's digest. The binding then rests on the cookie alone, so the answer's own signed timestamp must keep it
fresh (the protocol checks it); a signed answer replayed into a browser that has no pending login of that bank
finds nothing.

Used nonces are remembered for twice the freshness window: after that the answer is stale anyway.
Not checked here: the answer's own timestamp (each protocol does that) and the person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.core.cache import cache

from selfcare.identity.methods.base import Refused

COOKIE = "selfcare_banklink"
_PENDING = "banklink:pending:"
_USED = "banklink:used:"
_BY_BROWSER = "banklink:browser:"


def now() -> float:
    """The clock the freshness checks read (tests move it)."""
    return time.time()


@dataclass(frozen=True)
class Issued:
    nonce: str
    browser_secret: str  # goes into the COOKIE
    created_at: float


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(bank: str, *, max_age_seconds: int, length: int = 32) -> Issued:
    """A new random nonce for ``bank`` (``length`` hex characters: banks limit the field's size)."""
    nonce = secrets.token_hex(length // 2)
    secret = secrets.token_urlsafe(32)
    created = now()
    cache.set(
        _PENDING + nonce,
        {"bank": bank, "created_at": created, "browser": _digest(secret)},
        timeout=max_age_seconds * 2,
    )
    cache.set(_BY_BROWSER + _digest(secret), nonce, timeout=max_age_seconds * 2)
    return Issued(nonce, secret, created)


def consume(bank: str, nonce: str | None, *, browser_secret: str, max_age_seconds: int) -> None:
    """Accept ``nonce`` (taken from a verified answer) once, or raise :class:`Refused`.

    ``None``: the bank echoes no nonce; the pending login is the one this browser's cookie started.
    """
    if nonce is None:
        found = cache.get(_BY_BROWSER + _digest(browser_secret)) if browser_secret else None
        if not isinstance(found, str):
            raise Refused("no_pending_login")
        nonce = found
    if not nonce or cache.get(_USED + nonce) is not None:
        raise Refused("replay" if nonce else "wrong_nonce")
    pending = cache.get(_PENDING + nonce)
    if not isinstance(pending, dict) or pending.get("bank") != bank:
        raise Refused("wrong_nonce")
    if not hmac.compare_digest(str(pending.get("browser", "")), _digest(browser_secret)):
        raise Refused("browser_mismatch")
    if now() - float(pending["created_at"]) > max_age_seconds:
        raise Refused("stale")
    if not cache.add(_USED + nonce, 1, timeout=max_age_seconds * 2):
        raise Refused("replay")
    cache.delete(_PENDING + nonce)
    cache.delete(_BY_BROWSER + _digest(browser_secret))
