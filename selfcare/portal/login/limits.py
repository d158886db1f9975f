"""The rate limits on login starts (README "Rate limits"): per network address for every eID method, and per
personal code where one is typed before the provider is asked (Smart-ID's notification flow). The other
methods learn the code only from the provider's answer, after the person confirmed, so there is nothing to
count on at the start."""

from __future__ import annotations

from django.http import HttpRequest

from selfcare.security.ratelimit.web import client_address


def typed_personal_code(request: HttpRequest) -> str | None:
    """The code as typed, without hyphen and spaces (so 150385-12346 and 15038512346 count together)."""
    code = "".join(ch for ch in request.POST.get("personal_code", "") if ch.isalnum())[:20]
    return code or None


LIMIT_BY_ADDRESS = ("login-address", client_address)
LIMIT_BY_TYPED_CODE = ("login-code", typed_personal_code)
