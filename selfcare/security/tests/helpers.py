"""A login as the portal does it (selfcare.login_flow.log_in) into a test Client, without a browser."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation

from selfcare import login_flow
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import DigitalIdentity
from selfcare.security.devices import set_device_cookie

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def verified(code: str = "15038512346", given: str = "ANNA", family: str = "BĒRZIŅA") -> VerifiedIdentity:
    return VerifiedIdentity("smartid", "LV", code, given, family, "QUALIFIED", {})


def log_in(
    client: Client, code: str = "15038512346", *, user_agent: str = FIREFOX, ip: str = "192.0.2.10"
) -> DigitalIdentity:
    """Log a person in through log_in (selfcare.login_flow) with this client's cookies (device cookie included)."""
    request = RequestFactory().get("/", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    request.COOKIES = {name: morsel.value for name, morsel in client.cookies.items()}
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = AnonymousUser()
    # Outside a request no middleware picks the language: the default one, not whatever an earlier test left active.
    with translation.override(settings.LANGUAGE_CODE):
        identity = login_flow.log_in(request, verified(code))
    request.session.save()
    response = HttpResponse()
    set_device_cookie(request, response)
    client.cookies.update(response.cookies)
    client.cookies[settings.SESSION_COOKIE_NAME] = request.session.session_key or ""
    client.defaults.update(REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    return identity
