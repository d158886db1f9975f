"""What happens when a person logs in and out: the identity's own steps, then the features that react to a login.

`selfcare.identity` turns a verified eID answer into a digital identity, a fresh session and the audit record, and
knows nothing of the features above it. The steps that follow a login are listed here, in order, in one place (as
django-allauth chains its post-login stages): a new feature that reacts to a login adds its step to
`AFTER_LOGIN` and touches neither identity nor the login pages. They run in the login's transaction, so a login
the database loses half-way leaves no session row and announces nothing (notices are queued on commit).

The pages (selfcare/portal/login/, the back office's logout) call `log_in` and `log_out`, never the layers below.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest

from selfcare.identity import services as identity
from selfcare.identity.methods.base import VerifiedIdentity
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import AfterLogin
from selfcare.security import devices, sessions

AFTER_LOGIN: Sequence[AfterLogin] = (
    sessions.register_login,  # the person's list of sessions (their security page), to end any of them
    devices.recognise_device,  # a login from a browser new to this person is announced (SMS or e-mail)
)


def log_in(request: HttpRequest, verified: VerifiedIdentity) -> DigitalIdentity:
    """Log the verified person in and run every step that follows a login; raises Refused for a suspended one."""
    return identity.login_verified(request, verified, after=AFTER_LOGIN)


def log_out(request: HttpRequest) -> None:
    """End the session on the server (SECURITY.md 7.4.1): its row in the person's list first, then the session."""
    sessions.end_current(request)
    identity.logout_session(request)
