"""The security pages: a person's own (sessions, app access, login history, where notices go) and a company's
for its main users (mandates, bindings, who did what; the audit as CSV). Access decides in selfcare.access."""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterable, Iterator
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from selfcare.access.contexts import Action
from selfcare.access.models import StaffRole
from selfcare.access.policy import may
from selfcare.access.web import context_page, identity_page
from selfcare.audit.labels import object_label, object_labels
from selfcare.audit.models import AuditEvent
from selfcare.audit.services import record
from selfcare.exports import safe_cell
from selfcare.security import devices, selectors, sessions
from selfcare.security.models import NotificationContact

# The audit's action tags named for people; an unknown tag is shown as it is stored.
ACTIONS = {
    "binding:bound": gettext_lazy("Work number bound"),
    "binding:replaced": gettext_lazy("Work number bound to another person"),
    "binding:ended": gettext_lazy("Work number binding ended"),
    "binding:code:requested": gettext_lazy("One-time code requested"),
    "binding:code:failed": gettext_lazy("Wrong one-time code"),
    "binding:lockout:cleared": gettext_lazy("One-time code lockout cleared by customer service"),
    "portal:connection:view": gettext_lazy("Connection viewed"),
    "portal:bill:download": gettext_lazy("Bill downloaded"),
    "portal:usage:export": gettext_lazy("Itemised usage exported"),
    "portal:usage:company-export": gettext_lazy("Itemised usage of the company asked for"),
    "portal:usage:company-export-download": gettext_lazy("Itemised usage of the company downloaded"),
    "portal:spend:view": gettext_lazy("Extra charges and spend cap viewed"),
    "portal:spend:costs": gettext_lazy("Costs viewed"),
    "spend:cap:set": gettext_lazy("Spend cap set"),
    "spend:cap:remove": gettext_lazy("Spend cap removed"),
    "spend:barring:place": gettext_lazy("Chargeable services barred at the spend cap"),
    "spend:barring:lift": gettext_lazy("Barring at the spend cap lifted by hand"),
    "spend:barring:lift-place": gettext_lazy("Barring at the spend cap lifted"),
    "identity:session:logout": gettext_lazy("Logged out"),
    "security:session:end": gettext_lazy("A session ended"),
    "security:session:end-others": gettext_lazy("All other sessions ended"),
    "security:app:revoke": gettext_lazy("App access ended"),
    "oidc:token:issue": gettext_lazy("App access given"),
    "oidc:code:reuse": gettext_lazy("App access ended: a login code was used twice"),
    "oidc:refresh:reuse": gettext_lazy("App access ended: an old app token was used again"),
    "security:device:new": gettext_lazy("Login from a new device"),
    "security:device:forget-all": gettext_lazy("All browsers forgotten"),
    "security:audit:export": gettext_lazy("Audit exported"),
    "offers:claim:create": gettext_lazy("Offer claimed"),
    "orders:order:place": gettext_lazy("Order placed with the operator"),
    "orders:puk:view": gettext_lazy("SIM PUK shown"),
    "orders:order:request": gettext_lazy("Order asked of the main user"),
    "orders:request:approve": gettext_lazy("Employee's request approved"),
    "orders:request:decline": gettext_lazy("Employee's request declined"),
    "orders:employee-rights:set": gettext_lazy("Changed what employees may order without approval"),
    "orders:order:completed": gettext_lazy("Order completed by the operator"),
    "orders:order:failed": gettext_lazy("Order failed at the operator"),
    "orders:order:rejected": gettext_lazy("Order rejected by the operator"),
    "orders:new-connection:start": gettext_lazy("Began ordering a new connection"),
    "orders:new-connection:stopped": gettext_lazy("New connection order stopped: the right to order ended"),
    "orders:new-connection:port-code": gettext_lazy("Code sent to a number to be moved from another operator"),
    "orders:new-connection:signing": gettext_lazy("Began signing a new connection's contract"),
    "orders:new-connection:signed": gettext_lazy("New connection's contract signed and the order sent"),
    "orders:new-connection:acknowledged": gettext_lazy("New connection received by the operator"),
    "orders:new-connection:inProgress": gettext_lazy("New connection in progress at the operator"),
    "orders:new-connection:completed": gettext_lazy("New connection active"),
    "orders:new-connection:failed": gettext_lazy("New connection failed at the operator"),
    "orders:new-connection:rejected": gettext_lazy("New connection rejected by the operator"),
    "orders:new-connection:esim-late": gettext_lazy("eSIM of a new connection late: sent to customer service"),
    "mandates:mandate:created": gettext_lazy("Power of attorney prepared"),
    "mandates:mandate:document_added": gettext_lazy("Signed power of attorney uploaded"),
    "mandates:mandate:submitted": gettext_lazy("Power of attorney submitted"),
    "mandates:mandate:activated": gettext_lazy("Power of attorney activated"),
    "mandates:mandate:rejected": gettext_lazy("Power of attorney rejected"),
    "mandates:mandate:revoked": gettext_lazy("Power of attorney revoked"),
    "mandates:mandate:expired": gettext_lazy("Power of attorney expired"),
    "mandates:mandate:signing_started": gettext_lazy("Signing of a power of attorney started"),
    "mandates:mandate:cosigners_told": gettext_lazy("Other representatives asked to sign a power of attorney"),
    "mandates:representative:removed": gettext_lazy("Representative no longer in the Register of Enterprises"),
    # Staff in the back office (shown to the person concerned and to the company)
    "backoffice:identities:view": gettext_lazy("Your identity data opened by staff"),
    "backoffice:authentications:view": gettext_lazy("Your login record opened by staff"),
    "backoffice:customers:view": gettext_lazy("Account or connection data opened by staff"),
    "backoffice:mandates:view": gettext_lazy("Power of attorney opened by staff"),
    "backoffice:representatives:view": gettext_lazy("Representative's record opened by staff"),
    "backoffice:claims:view": gettext_lazy("Offer claim opened by staff"),
    "access:approval:requested:mandate_activate": gettext_lazy(
        "Activation of an unverified power of attorney asked (waits for a second staff member)"
    ),
    "access:approval:approved:mandate_activate": gettext_lazy(
        "Activation of an unverified power of attorney approved by a second staff member"
    ),
    "access:approval:rejected:mandate_activate": gettext_lazy(
        "Activation of an unverified power of attorney rejected by a second staff member"
    ),
    "access:approval:requested:code_change": gettext_lazy(
        "Change of your personal code asked (waits for a second staff member)"
    ),
    "access:approval:approved:code_change": gettext_lazy(
        "Change of your personal code approved by a second staff member"
    ),
    "access:approval:rejected:code_change": gettext_lazy(
        "Change of your personal code rejected by a second staff member"
    ),
    "identity:code:changed": gettext_lazy("Your new personal code recorded"),
    "access:approval:requested:role_grant": gettext_lazy("Administrator role for you asked"),
    "access:approval:approved:role_grant": gettext_lazy("Administrator role for you approved"),
    "access:approval:rejected:role_grant": gettext_lazy("Administrator role for you rejected"),
    "access:role:granted": gettext_lazy("Staff role given to you"),
    "access:role:revoked": gettext_lazy("Staff role removed from you"),
    "access:break-glass:login": gettext_lazy("Emergency password login to the back office"),
    "access:oauth-client:saved": gettext_lazy("App client saved"),
    "access:oauth-client:deleted": gettext_lazy("App client deleted"),
    "access:feed-key:created": gettext_lazy("Usage feed key created"),
    "access:feed-key:revoked": gettext_lazy("Usage feed key revoked"),
}

STAFF_ROLES = {
    **{role.value: role.label for role in StaffRole},
    "command-line": gettext_lazy("system administrator (server)"),
    "break-glass": gettext_lazy("emergency account"),
    "staff": gettext_lazy("staff"),
}


def action_label(tag: str) -> str:
    return str(ACTIONS.get(tag, tag))


def staff_role_label(role: str) -> str:
    return str(STAFF_ROLES.get(role, role))


def actor_label(event: AuditEvent) -> str:
    """Who acted, as the person or company sees it: a staff member by their role ("Tele2 staff: mandate
    officer"), named only when STAFF_NAMES_VISIBLE says so; anyone else by name."""
    if event.staff_role:
        who = _("%(brand)s staff: %(role)s") % {
            "brand": settings.BRAND.operator,
            "role": staff_role_label(event.staff_role),
        }
        if settings.STAFF_NAMES_VISIBLE and event.identity is not None:
            who = f"{who} ({event.identity.full_name})"
        return who
    return event.identity.full_name if event.identity else "—"


class NotificationEmailForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address for security notices"), required=False)


def _my_security(
    request: HttpRequest, email_form: NotificationEmailForm | None = None, status: int = 200
) -> HttpResponse:
    identity = request.identity  # type: ignore[attr-defined]
    current = sessions.current_id(request)
    rows = [
        {"session": s, "device": sessions.describe_device(s.user_agent), "current": str(s.pk) == current}
        for s in sessions.active_sessions(identity)
    ]
    if email_form is None:
        contact = NotificationContact.objects.filter(identity=identity).first()
        email_form = NotificationEmailForm(initial={"email": contact.email if contact else ""})
    return render(
        request,
        "portal/security/my_security.html",
        {
            "sessions": rows,
            "others": sum(1 for row in rows if not row["current"]),
            "grants": sessions.app_grants(identity),
            "logins": [
                {"record": r, "device": sessions.describe_device(r.user_agent)}
                for r in selectors.login_history(identity)
            ],
            "actions": [{"event": e, "label": action_label(e.action)} for e in selectors.own_actions(identity)],
            "staff_actions": _staff_rows(selectors.staff_actions_about(identity)),
            "email_form": email_form,
            "browsers": selectors.known_browser_count(identity),
        },
        status=status,
    )


def _staff_rows(events: Iterable[AuditEvent]) -> list[dict[str, object]]:
    found = list(events)
    labels = object_labels(found)
    return [
        {"event": e, "label": action_label(e.action), "who": actor_label(e), "object": object_label(e, labels)}
        for e in found
    ]


@require_safe
@identity_page
def my_security(request: HttpRequest) -> HttpResponse:
    return _my_security(request)


@require_POST
@identity_page
def end_session(request: HttpRequest, session_id: UUID) -> HttpResponse:
    identity = request.identity  # type: ignore[attr-defined]
    key = str(session_id)
    # The current session is ended by logging out; here only the others (the same 404 as a stranger's id).
    if key == sessions.current_id(request) or not sessions.end_session(identity=identity, session_id=key):
        raise Http404
    record(request, "security:session:end", identity=identity)
    messages.success(request, _("The session has ended. That browser is logged out at its next step."))
    return redirect("portal:my-security")


@require_POST
@identity_page
def end_other_sessions(request: HttpRequest) -> HttpResponse:
    identity = request.identity  # type: ignore[attr-defined]
    ended = sessions.end_other_sessions(identity=identity, keep=sessions.current_id(request))
    record(request, "security:session:end-others", identity=identity)
    messages.success(request, _("All your other sessions have ended (%(count)s).") % {"count": ended})
    return redirect("portal:my-security")


@require_POST
@identity_page
def forget_browsers(request: HttpRequest) -> HttpResponse:
    """Forget every browser the person logged in from: Smart-ID's push login is then offered in none of them, this
    one included, until the person logs in there again (with the QR code or the link)."""
    identity = request.identity  # type: ignore[attr-defined]
    forgotten = devices.forget_browsers(identity=identity)
    record(request, "security:device:forget-all", identity=identity)
    messages.success(request, _("All your browsers are forgotten (%(count)s).") % {"count": forgotten})
    return redirect("portal:my-security")


@require_POST
@identity_page
def revoke_app(request: HttpRequest, source: str, grant_id: str) -> HttpResponse:
    identity = request.identity  # type: ignore[attr-defined]
    if not sessions.revoke_app_grant(identity=identity, source=source, grant_id=grant_id):
        raise Http404
    record(request, "security:app:revoke", identity=identity)
    messages.success(request, _("The app's access has ended."))
    return redirect("portal:my-security")


@require_POST
@identity_page
def notification_email(request: HttpRequest) -> HttpResponse:
    identity = request.identity  # type: ignore[attr-defined]
    form = NotificationEmailForm(request.POST)
    if not form.is_valid():
        return _my_security(request, form, status=400)
    NotificationContact.objects.update_or_create(identity=identity, defaults={"email": form.cleaned_data["email"]})
    messages.success(request, _("Saved. Security notices go to this address too."))
    return redirect("portal:my-security")


def _require_company_security(request: HttpRequest) -> None:
    if not may(request.acting, Action.VIEW_COMPANY_SECURITY):  # type: ignore[attr-defined]
        raise Http404


AUDIT_PAGE = 100


@require_safe
@context_page
def company_security(request: HttpRequest) -> HttpResponse:
    _require_company_security(request)
    company_id = request.acting.company_id  # type: ignore[attr-defined]
    events = list(selectors.company_audit(company_id)[:AUDIT_PAGE])
    labels = object_labels(events)
    return render(
        request,
        "portal/security/company_security.html",
        {
            "mandates": selectors.company_mandates(company_id),
            "bindings": selectors.company_bindings(company_id),
            "events": [
                {"event": e, "label": action_label(e.action), "object": object_label(e, labels), "who": actor_label(e)}
                for e in events
            ],
            "page_size": AUDIT_PAGE,
        },
    )


CSV_COLUMNS = ["time_utc", "person", "identity", "context", "action", "object_type", "object_id", "ip_address"]


def _csv_rows(events: Iterator[AuditEvent]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for event in events:
        yield [
            event.occurred_at.astimezone(datetime.UTC).isoformat(),
            actor_label(event),
            "" if event.staff_role and not settings.STAFF_NAMES_VISIBLE else str(event.identity_id or ""),
            event.context,
            event.action,
            event.object_type,
            event.object_id,
            event.ip_address or "",
        ]


@require_safe
@context_page
def company_audit_csv(request: HttpRequest) -> HttpResponse:
    _require_company_security(request)
    acting = request.acting  # type: ignore[attr-defined]
    record(request, "security:audit:export", identity=request.identity, context=acting)  # type: ignore[attr-defined]
    # Built in memory rather than streamed: the access decorators return whole responses, and a company's audit
    # of a year is a few megabytes.
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response)
    for row in _csv_rows(selectors.company_audit(acting.company_id).iterator(chunk_size=2000)):
        writer.writerow([safe_cell(cell) for cell in row])
    name = f"audit-{acting.registration_number or acting.company_id}-{timezone.now():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
