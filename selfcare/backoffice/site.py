"""The back office site: Django's admin on its own site, for staff only, with identifier-aware search."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from selfcare.backoffice.search import normalised_terms


class BackofficeSite(admin.AdminSite):
    site_header = _("Back office")
    site_title = _("Back office")
    index_title = _("Customers and connections")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)


backoffice_site = BackofficeSite(name="backoffice")


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
    in before ModelAdmin."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows shown with their parent, never added, changed or deleted there (history, documents, identifiers)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
