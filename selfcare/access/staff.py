"""Staff: what each back-office role may see and do. The one table of the back office's rights; anything not
listed is denied (SECURITY.md "Staff", ASVS 8.2.1).

A staff member is a digital identity (eID login, no password) holding one or more live `StaffRoleGrant`s. The back
office asks `staff_may(roles, resource, operation)` for every page, list, form and button, and `role_for(...)` for
the role an action is audited under. Four-eyes actions (`FOUR_EYES`) are requested by one staff member and done
only when a second, different one approves; both steps need an eID login at most `STAFF_FRESH_LOGIN_SECONDS` old.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from enum import StrEnum

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from selfcare.access.models import ApprovalKind, StaffRole, StaffRoleGrant
from selfcare.identity.models import DigitalIdentity


class Resource(StrEnum):
    """What the back office shows, one name per page family."""

    CUSTOMERS = "customers"  # tariff plans, companies, accounts, connections
    IDENTITIES = "identities"  # digital identities and their codes
    AUTHENTICATIONS = "authentications"  # login records
    MANDATES = "mandates"  # powers of attorney and their documents
    REPRESENTATIVES = "representatives"
    OFFERS = "offers"  # Komplimenti offers and code pools
    CLAIMS = "claims"
    OFFER_SETTINGS = "offer_settings"
    AUDIT = "audit"
    STAFF_ROLES = "staff_roles"
    APPROVALS = "approvals"
    OAUTH_CLIENTS = "oauth_clients"
    FEED_KEYS = "feed_keys"
    TASKS = "tasks"  # the background task queue: what is queued, running, failed


class Op(StrEnum):
    VIEW = "view"
    ADD = "add"
    CHANGE = "change"
    DELETE = "delete"
    EXPORT = "export"
    # Resource-specific operations
    DECIDE = "decide"  # mandates: activate, reject, revoke; register a document received by e-mail
    CLEAR_LOCKOUT = "clear_lockout"
    CHANGE_CODE = "change_code"
    FULFIL = "fulfil"  # claims: mark fulfilled, cancel


V, A, C, D, E = Op.VIEW, Op.ADD, Op.CHANGE, Op.DELETE, Op.EXPORT
R = Resource

RIGHTS: dict[StaffRole, dict[Resource, frozenset[Op]]] = {
    StaffRole.CUSTOMER_SERVICE: {
        R.CUSTOMERS: frozenset({V}),
        R.IDENTITIES: frozenset({V, Op.CLEAR_LOCKOUT, Op.CHANGE_CODE}),
        R.AUTHENTICATIONS: frozenset({V}),
        R.MANDATES: frozenset({V}),
        R.REPRESENTATIVES: frozenset({V}),
        R.APPROVALS: frozenset({V}),
    },
    StaffRole.MANDATE_OFFICER: {
        R.CUSTOMERS: frozenset({V}),  # to find the company of a power of attorney
        R.MANDATES: frozenset({V, Op.DECIDE}),
        R.REPRESENTATIVES: frozenset({V, A, C}),
        R.APPROVALS: frozenset({V}),
    },
    StaffRole.OFFERS_EDITOR: {
        R.OFFERS: frozenset({V, A, C}),
        R.CLAIMS: frozenset({V, E, Op.FULFIL}),
        R.OFFER_SETTINGS: frozenset({V}),
    },
    StaffRole.AUDITOR: {
        R.AUDIT: frozenset({V, E}),
        R.AUTHENTICATIONS: frozenset({V}),
        R.CLAIMS: frozenset({V, E}),
        R.STAFF_ROLES: frozenset({V}),
        R.APPROVALS: frozenset({V}),
    },
    StaffRole.ADMINISTRATOR: {
        R.STAFF_ROLES: frozenset({V, A, C}),
        R.APPROVALS: frozenset({V}),
        R.OAUTH_CLIENTS: frozenset({V, A, C, D}),
        R.FEED_KEYS: frozenset({V, A, C}),
        R.TASKS: frozenset({V}),
    },
}

# Who may request and approve each four-eyes action: the role that may do the action itself.
FOUR_EYES: dict[ApprovalKind, tuple[Resource, Op]] = {
    ApprovalKind.MANDATE_ACTIVATE: (R.MANDATES, Op.DECIDE),
    ApprovalKind.CODE_CHANGE: (R.IDENTITIES, Op.CHANGE_CODE),
    ApprovalKind.ROLE_GRANT: (R.STAFF_ROLES, Op.ADD),
}


def roles_of(identity: DigitalIdentity | None) -> frozenset[StaffRole]:
    """The live staff roles of a person (none for anyone else): read fresh, so a removed role is gone at once."""
    if identity is None:
        return frozenset()
    return frozenset(
        StaffRole(r) for r in StaffRoleGrant.objects.live().filter(identity=identity).values_list("role", flat=True)
    )


def staff_may(roles: Iterable[StaffRole], resource: Resource, op: Op) -> bool:
    return any(op in RIGHTS[role].get(resource, frozenset()) for role in roles)


def role_for(roles: Iterable[StaffRole], resource: Resource, op: Op) -> StaffRole | None:
    """The role an allowed action is done (and audited) under: the first in the table's order that grants it."""
    held = set(roles)
    return next((role for role in RIGHTS if role in held and op in RIGHTS[role].get(resource, frozenset())), None)


def may_approve(roles: Iterable[StaffRole], kind: ApprovalKind) -> StaffRole | None:
    resource, op = FOUR_EYES[kind]
    return role_for(roles, resource, op)


def login_is_fresh(login_at: float | None, *, now: float | None = None) -> bool:
    """A four-eyes step needs an eID login at most STAFF_FRESH_LOGIN_SECONDS old (SECURITY.md "Staff")."""
    if login_at is None:
        return False
    return (now if now is not None else time.time()) - login_at <= settings.STAFF_FRESH_LOGIN_SECONDS


def password_staff_problem(users: Iterable[AbstractBaseUser], *, break_glass: bool) -> str | None:
    """Why production must not start: a staff or superuser account that could log in with a password. Staff log
    in with eID; a password would be the back door SECURITY.md's first rule forbids. None when safe."""
    if break_glass:
        return None
    names = sorted(str(u.get_username()) for u in users if u.has_usable_password())
    if not names:
        return None
    return (
        f"Staff accounts with a usable password exist ({', '.join(names)}): staff log in with eID only. Remove the "
        "passwords (selfcare staff remove-passwords), or set STAFF_PASSWORD_BREAK_GLASS=true for an audited "
        "emergency."
    )


def refuse_password_staff() -> None:
    """Called at start-up in production (selfcare/wsgi.py, `selfcare check --deploy`): raises when a staff account
    could log in with a password and the break-glass setting is off."""
    if settings.DEBUG:
        return
    users = get_user_model()._default_manager.filter(Q(is_staff=True) | Q(is_superuser=True), is_active=True)
    problem = password_staff_problem(users, break_glass=settings.STAFF_PASSWORD_BREAK_GLASS)
    if problem:
        raise ImproperlyConfigured(problem)
