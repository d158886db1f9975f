"""The person's side of Smart-ID: what the app on their phone would show, as plain server-rendered pages.

- ``phone/`` lists the accounts; ``phone/<code>/`` shows that person's notification requests with the
  verification code to compare with the portal's, and Confirm/Refuse;
- ``device-link`` is where a scanned QR code or a Web2App link lands: the link is checked
  (:mod:`.device_links`), then the person picks which demo account answers.
"""

from __future__ import annotations

import base64
import hashlib

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from selfcare.identity.methods.smartid.protocol import verification_code
from selfcare.simulators.gate import demo_only
from selfcare.simulators.smartid import accounts, answers, sessions
from selfcare.simulators.smartid.device_links import LinkRefused, open_link
from selfcare.simulators.smartid.signing import settle_certificate_choice

TEMPLATES = "simulators/smartid/"
PHONE_LANGUAGES = ("lv", "en", "ru")


def _phone_language(request: HttpRequest) -> str:
    """The phone's language, chosen with ?lang= (the simulator's paths carry no language prefix)."""
    chosen = request.GET.get("lang", "")
    return chosen if chosen in PHONE_LANGUAGES else "lv"


@demo_only
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    with translation.override(_phone_language(request)):
        return render(request, TEMPLATES + "phone_index.html", {"accounts": accounts.ACCOUNTS})


def _account_or_404(personal_code: str) -> accounts.Account:
    account = accounts.find(personal_code)
    if account is None:
        raise Http404("no such demo account")
    return account


@demo_only
@require_GET
@never_cache
def person(request: HttpRequest, personal_code: str) -> HttpResponse:
    """The account's pending notifications; the page refreshes itself (htmx) while the portal waits."""
    account = _account_or_404(personal_code)
    for session in sessions.pending_for(account.key):
        answers.settle_automatically(session)  # "Refuses"/"Times out" end without the person
    pending = [
        {
            "session_id": session.session_id,
            "rp_name": session.rp_name,
            "display_text": answers.display_text(session),
            "verification_code": session.verification_code or verification_code(session.rp_challenge),
            "signing": session.kind == "signature",
        }
        for session in sessions.pending_for(account.key)
        if session.kind != "certificate-choice"
    ]
    with translation.override(_phone_language(request)):
        return render(request, TEMPLATES + "phone_person.html", {"account": account, "pending": pending})


@demo_only
@require_POST
def answer_notification(request: HttpRequest, personal_code: str, session_id: str) -> HttpResponse:
    account = _account_or_404(personal_code)
    session = sessions.load(session_id)
    if session is None or session.personal_code != account.key or not session.running:
        raise Http404("no such pending request")
    if request.POST.get("answer") == "confirm":
        answers.confirm(session, account, flow_type="Notification")
    else:
        answers.refuse(session)
    return redirect("smartid-sim:phone-person", personal_code=account.key)


def _refused(request: HttpRequest, refusal: LinkRefused) -> HttpResponse:
    return render(request, TEMPLATES + "device_link_refused.html", {"message": refusal.message}, status=refusal.status)


@demo_only
@require_GET
@never_cache
def device_link(request: HttpRequest) -> HttpResponse:
    """Where the device link lands: check it, remember how it was opened, offer the accounts to answer with."""
    with translation.override(_app_language(request.GET.get("lang", ""))):
        return _device_link(request)


def _device_link(request: HttpRequest) -> HttpResponse:
    try:
        opened = open_link(request.GET)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    opened.session.opened_as = opened.link_type
    sessions.save(opened.session)
    language = _app_language(request.GET.get("lang", ""))
    context = {
        "session": opened.session,
        "accounts": accounts.ACCOUNTS,
        "link_type": opened.link_type,
        "app_language": language,
    }
    return render(request, TEMPLATES + "device_link.html", context)


def _app_language(code: str) -> str:
    """The Smart-ID app speaks the language the link asks for (lav, eng, rus), as the real app does."""
    return {"lav": "lv", "eng": "en", "rus": "ru"}.get(code, "lv")


def _callback(session: sessions.Session, verifier: str | None) -> HttpResponseRedirect:
    """The Web2App callback: ``initialCallbackUrl&sessionSecretDigest=…[&userChallengeVerifier=…]`` (§1.3)."""
    digest = hashlib.sha256(base64.b64decode(session.session_secret)).digest()
    secret_digest = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    url = f"{session.initial_callback_url}&sessionSecretDigest={secret_digest}"
    if verifier is not None:
        url += f"&userChallengeVerifier={verifier}"
    return HttpResponseRedirect(url)


@demo_only
@require_POST
def answer_device_link(request: HttpRequest) -> HttpResponse:
    """Confirm (as the chosen account) or refuse a session opened through a verified device link."""
    with translation.override(request.POST.get("app_language", "lv")):
        return _answer_device_link(request)


def _answer_device_link(request: HttpRequest) -> HttpResponse:
    session = sessions.load_by_token(request.POST.get("session_token", ""))
    if session is None or not session.opened_as:
        return _refused(request, LinkRefused(404, _("Open the device link first.")))
    if not session.running:
        return _refused(request, LinkRefused(410, _("This Smart-ID session has already ended.")))
    uses_callback = session.opened_as != "QR" and bool(session.initial_callback_url)
    if request.POST.get("answer") != "confirm":
        answers.refuse(session)
        return _callback(session, None) if uses_callback else render(request, TEMPLATES + "done.html")
    account = accounts.find(request.POST.get("account", ""))
    if account is None:
        context = {
            "session": session,
            "accounts": accounts.ACCOUNTS,
            "link_type": session.opened_as,
            "app_language": request.POST.get("app_language", "lv"),
            "error": True,
        }
        return render(request, TEMPLATES + "device_link.html", context, status=400)
    if session.kind == "certificate-choice":  # the app that opened the link gives its signing certificate
        settle_certificate_choice(session, account)
        return _callback(session, None) if uses_callback else render(request, TEMPLATES + "done.html")
    verifier, user_challenge = answers.user_challenge_pair()
    answers.confirm(session, account, flow_type=session.opened_as, user_challenge=user_challenge)
    return _callback(session, verifier) if uses_callback else render(request, TEMPLATES + "done.html")
