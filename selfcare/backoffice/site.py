"""The back office site: Django's admin on its own site, for staff only, with identifier-aware search.

Staff are digital identities: they log in with eID like everyone (the admin's password form is gone; its login
address sends them to the eID login and back). What a staff member may open and do is decided in
`selfcare.access.staff` from their roles: every page here is a `StaffModelAdmin` naming its `resource`, and every
permission question Django's admin asks is answered from that table. Opening a person's or a company's data is
audited with the role, and the person sees it on their security page.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.models import User
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from django.views.decorators.cache import never_cache

from selfcare.access.models import StaffRole
from selfcare.access.services import Staff, acting_as
from selfcare.access.staff import Op, Resource, login_is_fresh, role_for, roles_of, staff_may
from selfcare.audit.services import record
from selfcare.backoffice.search import normalised_terms
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.selectors import identity_of, login_time
from selfcare.login_flow import log_out
from selfcare.security.lifetime import SESSION_STAFF

M = TypeVar("M", bound=Model)
StrOrPromise = str | Promise


def staff_roles(request: HttpRequest) -> frozenset[StaffRole]:
    """The roles of the person behind this request, read once per request."""
    cached = getattr(request, "_staff_roles", None)
    if cached is None:
        cached = roles_of(staff_identity(request))
        if not cached and settings.STAFF_PASSWORD_BREAK_GLASS and getattr(request.user, "is_superuser", False):
            # The break-glass account (password login, audited): administrator only, to repair staff roles.
            cached = frozenset({StaffRole.ADMINISTRATOR})
        request._staff_roles = cached  # type: ignore[attr-defined]
    return frozenset(cached)


def staff_identity(request: HttpRequest) -> DigitalIdentity | None:
    if not hasattr(request, "_staff_identity"):
        request._staff_identity = identity_of(request.user)  # type: ignore[attr-defined]
    found: DigitalIdentity | None = request._staff_identity  # type: ignore[attr-defined]
    return found


def may(request: HttpRequest, resource: Resource, op: Op) -> bool:
    return staff_may(staff_roles(request), resource, op)


def acting(request: HttpRequest, resource: Resource, op: Op) -> Staff:
    """The staff member and the role this action is done in (PermissionDenied when none allows it)."""
    return acting_as(staff_identity(request), resource, op)


def staff_user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def eid_login_url(next_path: str) -> str:
    return f"{reverse('portal:login')}?{urlencode({'next': next_path})}"


def fresh_login_required(request: HttpRequest, next_path: str) -> HttpResponse | None:
    """Four-eyes steps need a recent eID login (SECURITY.md "Staff"): None when it is fresh, otherwise the way to
    confirm with eID and come back to `next_path`."""
    if login_is_fresh(login_time(request)):
        return None
    messages.warning(request, _("Confirm with eID first: this step needs a login from the last few minutes."))
    return HttpResponseRedirect(eid_login_url(next_path))


class BackofficeSite(admin.AdminSite):
    site_header = _("Back office")
    site_title = _("Back office")
    index_title = _("Back office")

    def has_permission(self, request: HttpRequest) -> bool:
        if not (request.user.is_active and staff_roles(request)):
            return False
        if hasattr(request, "session"):
            request.session[SESSION_STAFF] = True
        return True

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        roles = sorted(staff_roles(request))
        context["staff_roles"] = [StaffRole(role).label for role in roles]
        identity = staff_identity(request)
        context["staff_name"] = identity.full_name if identity else request.user.get_username()
        return context

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """No password form: staff log in with eID and come back. Someone logged in without a staff role is told
        so (403), the same for everyone. With the break-glass setting on, Django's password form is served."""
        if settings.STAFF_PASSWORD_BREAK_GLASS and not request.user.is_authenticated:
            return super().login(request, extra_context)
        next_path = request.GET.get("next", "")
        if not next_path.startswith("/backoffice/") or next_path.startswith("//"):
            next_path = reverse("backoffice:index")
        if self.has_permission(request):
            return HttpResponseRedirect(next_path)
        if request.user.is_authenticated:
            context = {**self.each_context(request), "title": _("No staff role")}
            return TemplateResponse(request, "backoffice/no_role.html", context, status=403)
        return HttpResponseRedirect(eid_login_url(next_path))

    def password_change(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        raise Http404  # staff have no password to change: they log in with eID

    def password_change_done(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        raise Http404

    @method_decorator(never_cache)
    def logout(  # type: ignore[override]
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Ends the session on the server and in the person's list of sessions, as the portal's logout does."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("backoffice:index"))
        identity = identity_of(request.user)
        if identity is not None:
            record(request, "identity:session:logout", identity=identity)
        log_out(request)
        return HttpResponseRedirect(reverse("portal:landing"))


backoffice_site = BackofficeSite(name="backoffice")


# Titles name the record in the accusative, as Latvian needs it ("Labot pilnvaru", not Django's "Labot pilnvara");
# in English the accusative is the name itself. Keyed by the model's label.
ACCUSATIVE: dict[str, StrOrPromise] = {
    "audit.auditevent": pgettext_lazy("accusative", "audit event"),
    "customers.tariffplan": pgettext_lazy("accusative", "tariff plan"),
    "customers.company": pgettext_lazy("accusative", "company"),
    "customers.customeraccount": pgettext_lazy("accusative", "customer account"),
    "customers.connection": pgettext_lazy("accusative", "connection"),
    "identity.digitalidentity": pgettext_lazy("accusative", "digital identity"),
    "identity.authenticationrecord": pgettext_lazy("accusative", "authentication record"),
    "mandates.mandate": pgettext_lazy("accusative", "power of attorney"),
    "mandates.representative": pgettext_lazy("accusative", "representative"),
    "offers.offer": pgettext_lazy("accusative", "offer"),
    "offers.offerclaim": pgettext_lazy("accusative", "offer claim"),
    "offers.companyoffersetting": pgettext_lazy("accusative", "company's Komplimenti setting"),
    "access.staffrolegrant": pgettext_lazy("accusative", "staff role"),
    "access.approvalrequest": pgettext_lazy("accusative", "four-eyes request"),
    "oauth2_provider.application": pgettext_lazy("accusative", "app client"),
    "usage.feedkey": pgettext_lazy("accusative", "usage feed key"),
}
# Lists are titled by what they hold; for the library's models without a translation of their own.
LIST_TITLES: dict[str, StrOrPromise] = {"oauth2_provider.application": _("App clients (OpenID Connect)")}


class NamedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box with a placeholder naming the field: Django sets the placeholder to "" (so the
    box can be cleared), which leaves select2's combobox with no accessible name while nothing is chosen — a screen
    reader announces just "combobox" (axe-core: aria-input-field-name)."""

    def build_attrs(self, base_attrs: dict[str, Any], extra_attrs: dict[str, Any] | None = None) -> dict[str, Any]:
        attrs = super().build_attrs(base_attrs, extra_attrs)
        field = capfirst(str(self.field.verbose_name))
        attrs["data-placeholder"] = pgettext("autocomplete placeholder", "%(field)s: type to search") % {"field": field}
        return attrs


class StaffModelAdmin(admin.ModelAdmin[M]):
    """Every back-office page: the access module answers each of the admin's permission questions from the
    staff member's roles and this page's `resource`. Opening one record of a person or a company is audited
    (`subject_of` names whose data it is) and shown to them."""

    resource: ClassVar[Resource]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may(request, self.resource, Op.VIEW)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = NamedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request, self.resource, Op.VIEW)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return may(request, self.resource, Op.ADD)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request, self.resource, Op.CHANGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may(request, self.resource, Op.DELETE)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        thing = ACCUSATIVE.get(self.opts.label_lower, self.opts.verbose_name)
        if object_id is None:
            title = pgettext("backoffice title", "Add %(object)s") % {"object": thing}
        elif self.may_edit(request):
            title = pgettext("backoffice title", "Change %(object)s") % {"object": thing}
        else:
            title = pgettext("backoffice title", "View %(object)s") % {"object": thing}
        return super().changeform_view(request, object_id, form_url, {"title": title, **(extra_context or {})})

    def may_edit(self, request: HttpRequest) -> bool:
        """Whether the record's page is titled "Change …" (else "View …")."""
        return self.has_change_permission(request)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        title = LIST_TITLES.get(self.opts.label_lower, capfirst(self.opts.verbose_name_plural))
        return super().changelist_view(request, {"title": title, **(extra_context or {})})

    def subject_of(self, obj: Any) -> tuple[DigitalIdentity | None, int | None]:
        """Whose data a record is: a person (who sees the staff member's visit on My security) and/or a company
        (its security page). Records that are nobody's return (None, None) and are not audited when opened."""
        return None, None

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                self._audit_view(request, obj)
        return response

    def _audit_view(self, request: HttpRequest, obj: Any) -> None:
        subject, company_id = self.subject_of(obj)
        if subject is None and company_id is None:
            return
        role = role_for(staff_roles(request), self.resource, Op.VIEW)
        record(
            request,
            f"backoffice:{self.resource}:view",
            identity=staff_identity(request),
            target=obj,
            staff_role=role or "",
            subject=subject,
            company_id=company_id,
        )


class IdentifierSearchMixin:
    """Search that matches identifiers exactly in any typed form, and names by substring."""

    identifier_fields: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        if not search_term.strip():
            return queryset, False
        condition = Q()
        for term in normalised_terms(search_term):
            for field in self.identifier_fields:
                condition |= Q(**{field: term})
        for field in self.text_fields:
            condition |= Q(**{f"{field}__icontains": search_term.strip()})
        return queryset.filter(condition), False


class ReadOnlyAdmin:
    """For records the back office shows but never writes (audit, login attempts, what a customer decides): mixed
    in before StaffModelAdmin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows shown with their parent, never added, changed or deleted there (history, documents, identifiers).
    Whoever may open the parent sees them: the parent's page is the access decision."""

    extra = 0
    can_delete = False
    template = "backoffice/readonly_inline.html"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(staff_roles(request))

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
