"""New-device notices: a login from a browser the person has not logged in from sends them a message.

A browser is known by a long-lived signed cookie holding a random id (HttpOnly, SameSite=Lax, Secure and
`__Host-` outside debug); the server keeps only a hash of the id per identity. One browser may be known to
several people (a family computer): each person's first login from it is announced to them.

The message goes, per `NEW_DEVICE_NOTIFY`, by SMS to the person's bound work number, else to a number of their
own private account, and/or by e-mail to the address they gave on their security page. Both are sent after
the login's transaction commits (queue_sms, queue_email: background tasks).
"""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from selfcare.access.contexts import private_accounts_of
from selfcare.background.mail import queue_email
from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.binding.sms import queue_sms
from selfcare.customers.models import Connection, ConnectionStatus
from selfcare.identity.methods.registry import method_label
from selfcare.identity.models import DigitalIdentity
from selfcare.queries import MARK_UUID, Prepared
from selfcare.security.models import KnownDevice, NotificationContact
from selfcare.security.sessions import describe_device

logger = logging.getLogger(__name__)

_COOKIE_SALT = "selfcare.security.device"
_PENDING_COOKIE = "_selfcare_device_cookie"


def _digest(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


def device_id_of(request: HttpRequest) -> str | None:
    """The browser's device id, when it sent a device cookie we signed; None otherwise (forged ones too)."""
    value = request.get_signed_cookie(settings.DEVICE_COOKIE_NAME, default=None, salt=_COOKIE_SALT)
    return value if value and len(value) <= 100 else None


def is_known_browser(request: HttpRequest, identity: DigitalIdentity | None = None) -> bool:
    """Whether this browser carries a device cookie of a past login (of `identity`, when given).

    Smart-ID's push login is offered only in such a browser (SK: push only where the person logged in before);
    the cookie holds a random id, never who logged in, and a forged or stale one is simply unknown.
    """
    device_id = device_id_of(request)
    if device_id is None:
        return False
    known = KnownDevice.objects.filter(device_digest=_digest(device_id))
    return (known.filter(identity=identity) if identity is not None else known).exists()


def forget_browsers(*, identity: DigitalIdentity) -> int:
    """Forget every browser this person logged in from: none of them is offered Smart-ID's push login any more,
    and the next login from each is announced again as from a new device. Returns how many were forgotten."""
    forgotten, _per_model = KnownDevice.objects.filter(identity=identity).delete()
    return forgotten


def recognise_device(request: HttpRequest, identity: DigitalIdentity, method: str) -> bool:
    """Note the browser for this person; True (and the notice is sent) when it was new to them."""
    device_id = device_id_of(request) or secrets.token_urlsafe(32)
    setattr(request, _PENDING_COOKIE, device_id)
    digest = _digest(device_id)
    if KnownDevice.objects.filter(identity=identity, device_digest=digest).update(last_seen_at=timezone.now()):
        return False
    try:
        with transaction.atomic():
            KnownDevice.objects.create(identity=identity, device_digest=digest)
    except IntegrityError:
        return False  # the same browser finished two logins at once; the other one announced it
    notify_new_device(request, identity, method)
    return True


def set_device_cookie(request: HttpRequest, response: HttpResponseBase) -> None:
    """Give the browser its device cookie after a login (called by the middleware on the way out)."""
    device_id = getattr(request, _PENDING_COOKIE, None)
    if device_id is None:
        return
    response.set_signed_cookie(
        settings.DEVICE_COOKIE_NAME,
        device_id,
        salt=_COOKIE_SALT,
        max_age=settings.DEVICE_COOKIE_AGE_SECONDS,
        secure=settings.SELFCARE_HTTPS,
        httponly=True,
        samesite="Lax",
    )


def notification_number(identity: DigitalIdentity) -> str | None:
    """Where an SMS notice goes: the bound work number (proven in the person's hand), else a private number."""
    bound = _BOUND_NUMBER.rows(identity_id=identity.pk)
    if bound:
        return str(bound[0][0])
    private = _PRIVATE_NUMBER.rows(identity_id=identity.pk)
    return str(private[0][0]) if private else None


# The two reads of `notification_number`, compiled once (selfcare.queries.Prepared): every login from a browser new
# to the person made them, the private one as three statements (the person's codes, their private accounts, the
# number), each compiled anew; together about a sixth of such a login's CPU (docs/performance.md). The conditions
# are the ones the reads had: the person's active bindings of a connection not terminated, the first bound; else
# the first number not terminated of a private account whose contract carries one of the person's codes, old or
# new (the codes read in the statement, as `private_accounts(person_codes(...))` read them before it).
_BOUND_NUMBER = Prepared(
    ConnectionBinding,
    lambda identity_id: (
        ConnectionBinding.objects.filter(identity_id=identity_id, status=BindingStatus.ACTIVE)
        .exclude(connection__status=ConnectionStatus.TERMINATED)
        .order_by("pk")
        .values_list("connection__msisdn")[:1]
    ),
    identity_id=MARK_UUID,
)
_PRIVATE_NUMBER = Prepared(
    Connection,
    lambda identity_id: (
        Connection.objects.filter(account_id__in=private_accounts_of(identity_id).values("pk"))
        .exclude(status=ConnectionStatus.TERMINATED)
        .order_by("msisdn")
        .values_list("msisdn")[:1]
    ),
    identity_id=MARK_UUID,
)


def notice_text(request: HttpRequest, method: str) -> str:
    device = describe_device(request.META.get("HTTP_USER_AGENT", ""))
    return _(
        "%(brand)s: a login with %(method)s from a new device (%(device)s) at %(time)s. If it was not you, "
        "open My security in %(brand)s and end that session."
    ) % {
        "brand": settings.BRAND.name,
        "method": method,
        "device": str(device) if str(device) != "unknown" else _("unknown device"),
        "time": date_format(timezone.localtime(), "DATETIME_FORMAT"),
    }


def notify_new_device(request: HttpRequest, identity: DigitalIdentity, method: str) -> None:
    text = notice_text(request, str(method_label(method)))
    channels = set(settings.NEW_DEVICE_NOTIFY)
    if "sms" in channels:
        number = notification_number(identity)
        if number:
            queue_sms(number, text)
    if "email" in channels:
        address = NotificationContact.objects.filter(identity=identity).values_list("email", flat=True).first()
        if address:
            subject = _("%(brand)s: login from a new device") % {"brand": settings.BRAND.name}
            # A notice is a courtesy: a mail server that is down delays it (the task retries), never the login.
            queue_email(subject, text, [address])
