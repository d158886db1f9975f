"""Every back-office route × every staff role, a person without a role and an anonymous visitor (issue 16
"Done when"): each is opened or refused exactly as the table below says, and a refusal shows none of the data.

The table is written here, apart from `selfcare.access.staff.RIGHTS`, so that a change of the rights shows up as a
failing test; a new route that is not in the table fails `test_every_back_office_route_is_in_the_access_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from oauth2_provider.models import Application

from selfcare.access.models import ApprovalKind, ApprovalRequest, StaffRoleGrant
from selfcare.access.tests import factories as people
from selfcare.audit.services import record
from selfcare.backoffice.site import backoffice_site
from selfcare.customers.tests import factories
from selfcare.identity.models import AuthenticationRecord, DigitalIdentity
from selfcare.mandates import services
from selfcare.mandates.documents import document_attach
from selfcare.mandates.models import DocumentChannel, MandateDocument
from selfcare.mandates.tests import builders
from selfcare.offers.models import CompanyOfferSetting, OfferClaim, OfferKind
from selfcare.offers.tests import factories as offers
from selfcare.orders.models import NewConnectionOrder
from selfcare.storage import store
from selfcare.usage.feedkeys import feed_key_create
from selfcare.usage.models import FeedKey

pytestmark = pytest.mark.django_db

MARK = "Slepenais"  # in every customer's name the pages could show: a refused page must not contain it

CS, MO, OE, AU, AD = "customer_service", "mandate_officer", "offers_editor", "auditor", "administrator"
ROLES = (CS, MO, OE, AU, AD)
ANY = frozenset(ROLES)
NOBODY: frozenset[str] = frozenset()


def _roles(*roles: str) -> frozenset[str]:
    return frozenset(roles)


# model route family → who may open it; "add"/"delete" listed apart where they differ from viewing.
@dataclass(frozen=True)
class Family:
    view: frozenset[str]
    add: frozenset[str] = NOBODY
    delete: frozenset[str] = NOBODY
    extra: tuple[tuple[str, frozenset[str]], ...] = ()  # custom GET routes: name suffix → who


MODELS: dict[str, Family] = {
    "customers_tariffplan": Family(_roles(CS, MO)),
    "customers_company": Family(_roles(CS, MO)),
    "customers_customeraccount": Family(_roles(CS, MO)),
    "customers_connection": Family(_roles(CS, MO)),
    "identity_digitalidentity": Family(_roles(CS), extra=(("change_code", _roles(CS)), ("clear_lockout", _roles(CS)))),
    "identity_authenticationrecord": Family(_roles(CS, AU)),
    "mandates_mandate": Family(_roles(CS, MO), extra=(("register", _roles(MO)), ("document", _roles(CS, MO)))),
    "mandates_representative": Family(_roles(CS, MO), add=_roles(MO)),
    "offers_offer": Family(_roles(OE), add=_roles(OE), extra=(("codes", _roles(OE)),)),
    "offers_offerclaim": Family(_roles(OE, AU)),
    "offers_companyoffersetting": Family(_roles(OE)),
    "audit_auditevent": Family(_roles(AU)),
    "usage_feedkey": Family(_roles(AD), add=_roles(AD)),
    "access_staffrolegrant": Family(_roles(AU, AD), add=_roles(AD)),
    # The request in the fixture is a mandate activation: mandate officers and auditors see it (customer service
    # and administrators see the approvals list, but only of the kinds they decide).
    "access_approvalrequest": Family(_roles(CS, MO, AU, AD)),
    "oauth2_provider_application": Family(_roles(AD), add=_roles(AD), delete=_roles(AD)),
    "django_tasks_database_dbtaskresult": Family(_roles(AD)),
    "orders_newconnectionorder": Family(_roles(CS, MO), extra=(("contract", _roles(CS, MO)),)),
}
OBJECT_VIEW = {"access_approvalrequest": _roles(MO, AU)}  # one object of a family seen by fewer roles
APPS = {
    "customers": _roles(CS, MO),
    "identity": _roles(CS, AU),
    "mandates": _roles(CS, MO),
    "offers": _roles(OE, AU),
    "audit": _roles(AU),
    "usage": _roles(AD),
    "access": _roles(CS, MO, AU, AD),
    "oauth2_provider": _roles(AD),
    "django_tasks_database": _roles(AD),
    "orders": _roles(CS, MO),
}
SITE_ROUTES = {"index": ANY, "jsi18n": ANY, "password_change": NOBODY, "password_change_done": NOBODY}
# Routes that are not pages of data: decisions are POST only (tested in test_mandates / test_identities), the
# login and logout are tested below, view_on_site and autocomplete are answered by Django with its own checks.
NOT_PAGES = {
    "login",
    "logout",
    "view_on_site",
    "autocomplete",
    "mandates_mandate_decide",
    "access_approvalrequest_decide",
}


@pytest.fixture
def world() -> dict[str, Any]:
    person = people.person("16117519997", "JĀNIS", MARK.upper())
    plan = factories.tariff_plan(name=f"{MARK} plāns")
    company = factories.company(name=f"SIA {MARK}")
    account = factories.private_account(personal_code="161175-19997", holder_name=f"Jānis {MARK}")
    business = factories.business_account(company=company)
    connection = factories.connection(account=account, msisdn="+37129123456", user_label=MARK)
    factories.connection(account=business, msisdn="+37129123457", user_label=MARK)
    mandate = builders.draft(company, attorney_name=f"Jānis {MARK}", attorney_code="16117519997")
    document_attach(
        request=None,
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name=f"{MARK}.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
    )
    representative = builders.representative(company, f"Anna {MARK}", "32579104511")
    offer = offers.offer(kind=OfferKind.PARTNER, partner=MARK, title_en=f"{MARK} offer", data_bytes=None)
    claim = OfferClaim.objects.create(
        offer=offer,
        identity=person,
        connection=connection,
        context="private",
        idempotency_key="k",
        limit_key="l",
    )
    setting = CompanyOfferSetting.objects.create(company=company, employees_may_claim_gifts=False)
    AuthenticationRecord.objects.create(identity=person, method="smartid", result="success", user_agent=MARK)
    event = record(None, f"portal:{MARK}:view", identity=person)
    feed_key_create(name=f"{MARK}-feed")
    officer = people.staff("mandate_officer", code="32999999991", given="OTHER", family=f"{MARK}OFFICER")
    approval = ApprovalRequest.objects.create(
        kind=ApprovalKind.MANDATE_ACTIVATE,
        target_id=str(mandate.pk),
        payload={"reason": MARK},
        subject=person,
        requested_by=officer,
        requested_role="mandate_officer",
        requested_at=timezone.now(),
    )
    app = Application.objects.create(
        name=f"{MARK} app",
        client_type=Application.CLIENT_PUBLIC,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://example.lv/cb",
    )
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [MARK], "kwargs": {}},
        task_path="selfcare.binding.tasks.deliver_sms",
        backend_name="default",
        run_after=timezone.now(),
    )
    store("contracts/test-access.pdf", builders.MINIMAL_PDF)
    new_connection = NewConnectionOrder.objects.create(
        ordered_by=person, context="private", plan_name=f"{MARK} plāns", contract_name="contracts/test-access.pdf"
    )
    return {
        "orders_newconnectionorder": new_connection.pk,
        "django_tasks_database_dbtaskresult": task.pk,
        "customers_tariffplan": plan.pk,
        "customers_company": company.pk,
        "customers_customeraccount": account.pk,
        "customers_connection": connection.pk,
        "identity_digitalidentity": person.pk,
        "identity_authenticationrecord": AuthenticationRecord.objects.get().pk,
        "mandates_mandate": mandate.pk,
        "mandates_mandate_document": MandateDocument.objects.get().pk,
        "mandates_representative": representative.pk,
        "offers_offer": offer.pk,
        "offers_offerclaim": claim.pk,
        "offers_companyoffersetting": setting.pk,
        "audit_auditevent": event.pk,
        "usage_feedkey": FeedKey.objects.get().pk,
        "access_staffrolegrant": StaffRoleGrant.objects.get(identity=officer).pk,
        "access_approvalrequest": approval.pk,
        "oauth2_provider_application": app.pk,
    }


def _route_names() -> list[str]:
    names: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver]) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif pattern.name:
                names.append(pattern.name)

    walk(backoffice_site.get_urls())
    return sorted(set(names))


def _expected(world: dict[str, Any]) -> list[tuple[str, str, frozenset[str]]]:
    """(route name, URL, roles that may open it) for every GET page of the back office."""
    pages: list[tuple[str, str, frozenset[str]]] = []
    for name, roles in SITE_ROUTES.items():
        pages.append((name, reverse(f"backoffice:{name}"), roles))
    for app, roles in APPS.items():
        pages.append(("app_list", reverse("backoffice:app_list", args=[app]), roles))
    for family, rights in MODELS.items():
        pk = world[family]
        one = OBJECT_VIEW.get(family, rights.view)
        pages.append((f"{family}_changelist", reverse(f"backoffice:{family}_changelist"), rights.view))
        pages.append((f"{family}_change", reverse(f"backoffice:{family}_change", args=[pk]), one))
        pages.append((f"{family}_history", reverse(f"backoffice:{family}_history", args=[pk]), one))
        pages.append((f"{family}_add", reverse(f"backoffice:{family}_add"), rights.add))
        pages.append((f"{family}_delete", reverse(f"backoffice:{family}_delete", args=[pk]), rights.delete))
        for suffix, roles in rights.extra:
            name = f"{family}_{suffix}"
            if suffix == "register":
                url = reverse(f"backoffice:{name}")
            else:
                url = reverse(f"backoffice:{name}", args=[world.get(name, pk)])
            pages.append((name, url, roles))
    return pages


def test_every_back_office_route_is_in_the_access_table(world: dict[str, Any]) -> None:
    listed = {name for name, _url, _roles in _expected(world)} | NOT_PAGES
    assert [name for name in _route_names() if name not in listed] == []


def _refused(response: Any, url: str) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    location = str(response.get("Location", ""))
    # Django's admin answers a missing (or, for us, hidden) object with a redirect to the index.
    return bool(response.status_code == 302 and location.split("?")[0] != url.split("?")[0])


PRINCIPALS = ("anonymous", "person without a role", *ROLES)


def _as(principal: str, client: Client) -> Client:
    if principal == "anonymous":
        return client
    if principal == "person without a role":
        return _logged_in(client, people.person("32123456780", "ANNA", "KLIENTE"))
    return people.staff_client(client, principal, code="32000000001")


def _logged_in(client: Client, identity: DigitalIdentity) -> Client:
    client.force_login(identity.user)
    return client


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_each_back_office_page_opens_only_for_the_roles_that_may_and_a_refusal_shows_no_data(
    client: Client, world: dict[str, Any], principal: str
) -> None:
    browser = _as(principal, client)
    wrong: list[str] = []
    for name, url, roles in _expected(world):
        response = browser.get(url)
        body = response.content.decode(errors="replace")
        if principal in roles:
            opened = response.status_code == 200 or (
                response.status_code == 302 and response["Location"].startswith(url.split("?")[0] + "?")
            )
            if not opened:
                wrong.append(f"{name}: refused ({response.status_code}) but {principal} may open it")
            elif response.status_code == 200 and "text/html" in response["Content-Type"] and "<h1" not in body:
                wrong.append(f"{name}: a page without a heading")
        elif not _refused(response, url):
            wrong.append(f"{name}: opened ({response.status_code}) for {principal}")
        elif MARK.lower() in body.lower():
            wrong.append(f"{name}: refused but shows the data")
    assert wrong == []


def test_the_index_lists_only_the_sections_of_the_staff_members_roles(client: Client, world: dict[str, Any]) -> None:
    html = people.staff_client(client, OE).get("/backoffice/").content.decode()
    assert "/backoffice/offers/offer/" in html
    for hidden in ("/backoffice/customers/", "/backoffice/identity/", "/backoffice/audit/", "/backoffice/access/"):
        assert hidden not in html


def test_a_role_removed_is_gone_at_the_next_request(client: Client, world: dict[str, Any]) -> None:
    browser = people.staff_client(client, AU)
    assert browser.get("/backoffice/audit/auditevent/").status_code == 200
    StaffRoleGrant.objects.filter(role=AU).update(revoked_at=timezone.now())
    assert _refused(browser.get("/backoffice/audit/auditevent/"), "/backoffice/audit/auditevent/")


@pytest.mark.parametrize("principal", [p for p in PRINCIPALS if p != MO])
def test_only_a_mandate_officer_decides_on_a_mandate_or_approves_its_activation(
    client: Client, world: dict[str, Any], principal: str
) -> None:
    browser = _as(principal, client)
    mandate_id, approval_id = world["mandates_mandate"], world["access_approvalrequest"]
    for step in ("activate", "reject", "revoke"):
        response = browser.post(f"/backoffice/mandates/mandate/{mandate_id}/decide/{step}/", {"reason": "x"})
        assert _refused(response, f"/backoffice/mandates/mandate/{mandate_id}/change/")
    for step in ("approve", "reject"):
        browser.post(f"/backoffice/access/approvalrequest/{approval_id}/decide/{step}/")
    assert ApprovalRequest.objects.get(pk=approval_id).status == "pending"
    assert MandateDocument.objects.get().mandate.status == "submitted"
    assert not ApprovalRequest.objects.exclude(pk=approval_id).exists()
