"""Check a device link the way the Smart-ID app and server do, so a portal that builds links wrongly finds out.

The link (PROTOCOLS.md §1.3) is ``deviceLinkBase?deviceLinkType=…[&elapsedSeconds=N]&sessionToken=…&
sessionType=auth&version=1.0&lang=…&authCode=…``. We find the session by its token, rebuild the link with
:func:`selfcare.identity.methods.smartid.protocol.device_link` from what the RP sent when it started the
session, and compare authCodes. For QR links the callback URL enters the authCode empty (as SK's Java client
builds QR links) and the link must be fresh: the portal must regenerate the QR code every second.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.utils.translation import gettext as _

from selfcare.identity.methods.smartid.protocol import DeviceLinkType, device_link
from selfcare.simulators.smartid import conf, sessions

LINK_TYPES = frozenset({"QR", "Web2App", "App2App"})
AUTH = "auth"


def signing_session_type() -> str:
    """The sessionType of a signing certificate choice's link (a setting: PROTOCOLS.md names only "auth")."""
    return str(settings.SMARTID_SIGNING_DEVICE_LINK_SESSION_TYPE)


# A QR link may claim a moment a little after what our clock says: the portal's clock may run ahead.
CLOCK_SKEW_SECONDS = 5


class LinkRefused(Exception):
    """The link is not one the app would accept; ``message`` is shown to the person, ``status`` is the HTTP one."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class OpenedLink:
    session: sessions.Session
    link_type: DeviceLinkType


def _elapsed_seconds(query: Mapping[str, str], link_type: str) -> int | None:
    raw = query.get("elapsedSeconds")
    if link_type != "QR":
        if raw is not None:
            raise LinkRefused(400, _("Only QR links carry elapsedSeconds."))
        return None
    if raw is None or not raw.isdigit():
        raise LinkRefused(400, _("A QR link must carry elapsedSeconds."))
    return int(raw)


def _check_fresh(session: sessions.Session, elapsed_seconds: int) -> None:
    """The QR code was made ``elapsed_seconds`` after the session started; it must not be older than allowed."""
    link_age = session.age_seconds - elapsed_seconds
    if link_age > conf.qr_max_age_seconds():
        raise LinkRefused(410, _("This QR code is too old. Scan the current code on the other screen."))
    if link_age < -CLOCK_SKEW_SECONDS:
        raise LinkRefused(403, _("This QR code claims a time that has not come yet."))


def open_link(query: Mapping[str, str]) -> OpenedLink:
    """Return the session a device link opens, or raise :class:`LinkRefused` saying why the app would not."""
    link_type = query.get("deviceLinkType", "")
    if link_type not in LINK_TYPES:
        raise LinkRefused(400, _("The link has no valid deviceLinkType."))
    session_type = query.get("sessionType", "")
    if session_type not in (AUTH, signing_session_type()) or query.get("version") != "1.0":
        raise LinkRefused(400, _("The link must say sessionType=auth and version=1.0."))
    lang, auth_code = query.get("lang", ""), query.get("authCode", "")
    if not lang or not auth_code:
        raise LinkRefused(400, _("The link lacks lang or authCode."))
    elapsed_seconds = _elapsed_seconds(query, link_type)
    session = sessions.load_by_token(query.get("sessionToken", ""))
    if session is None or session.flow != "device-link":
        raise LinkRefused(404, _("No Smart-ID session matches this link. It may have expired."))
    if not session.running:
        raise LinkRefused(410, _("This Smart-ID session has already ended."))
    if session_type != (signing_session_type() if session.kind == "certificate-choice" else AUTH):
        raise LinkRefused(400, _("The link's sessionType does not match its session."))
    expected = device_link(
        device_link_base=session.device_link_base,
        link_type=cast(DeviceLinkType, link_type),
        elapsed_seconds=elapsed_seconds,
        session_token=session.session_token,
        lang=lang,
        session_secret_b64=session.session_secret,
        scheme_name=conf.scheme_name(),
        rp_challenge=session.rp_challenge,
        rp_name=session.rp_name,
        brokered_rp_name="",
        interactions_b64=session.interactions_b64,
        initial_callback_url="" if link_type == "QR" else session.initial_callback_url,
        session_type=session_type,
    )
    expected_code = expected.rsplit("&authCode=", 1)[1]
    if not hmac.compare_digest(expected_code.encode("ascii"), auth_code.encode("ascii", "replace")):
        raise LinkRefused(403, _("The link's authCode is wrong: the portal built this link incorrectly."))
    if elapsed_seconds is not None:
        _check_fresh(session, elapsed_seconds)
    return OpenedLink(session, cast(DeviceLinkType, link_type))
