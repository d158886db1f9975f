"""Every route × every kind of principal: the rightful one sees, everyone else gets what a missing page gives."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from selfcare.access.contexts import ContextKind, NotFound, contexts_of, resolve_context
from selfcare.access.tests import factories as people
from selfcare.access.web import POLICY_ATTRIBUTE
from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.customers.models import Company, Connection, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity
from selfcare.mandates.models import MandateStatus

pytestmark = pytest.mark.django_db


@dataclass
class World:
    company_a: Any
    company_b: Any
    a1: Connection  # Pēteris's work number in A
    a2: Connection  # a colleague's number in A
    b1: Connection
    private: Connection  # Anna's private number
    anna: DigitalIdentity  # main user of A, private customer
    bruno: DigitalIdentity  # main user of B
    peteris: DigitalIdentity  # employee of A (a1)
    colleague: DigitalIdentity  # employee of A (a2)
    edgars: DigitalIdentity  # his mandate for A expired yesterday


@pytest.fixture
def world() -> World:
    company_a, company_b = factories.company(name="SIA Alfa"), factories.company(name="SIA Beta")
    account_a, account_b = factories.business_account(company=company_a), factories.business_account(company=company_b)
    a1, a2 = factories.connection(account=account_a), factories.connection(account=account_a)
    b1 = factories.connection(account=account_b)
    private = factories.connection(account=factories.private_account(personal_code="150385-12346"))
    anna = people.person("15038512346", "ANNA", "BĒRZIŅA")
    bruno = people.person("16117519997", "BRUNO")
    peteris = people.person("22079018761", "PĒTERIS")
    colleague = people.person("32579104511", "ILZE")
    edgars = people.person("01059011113", "EDGARS")
    people.mandate(company_a, anna)
    people.mandate(company_b, bruno)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    people.mandate(company_a, edgars, valid_from=yesterday - datetime.timedelta(days=365), valid_until=yesterday)
    people.binding(a1, peteris)
    people.binding(a2, colleague)
    return World(company_a, company_b, a1, a2, b1, private, anna, bruno, peteris, colleague, edgars)


def _as(client: Client, identity: DigitalIdentity | None) -> Client:
    if identity is not None:
        client.force_login(identity.user)
    return client


def _routes(w: World) -> dict[str, list[DigitalIdentity]]:
    """Each context route, with the people who rightfully open it."""
    a, b = w.company_a.pk, w.company_b.pk
    return {
        f"/en/acting/company-{a}/connections/": [w.anna],
        f"/en/acting/company-{a}/connections/{w.a2.pk}/": [w.anna],
        f"/en/acting/company-{b}/connections/{w.b1.pk}/": [w.bruno],
        f"/en/acting/work-{a}/connections/": [w.peteris, w.colleague],
        f"/en/acting/work-{a}/connections/{w.a1.pk}/": [w.peteris],
        f"/en/acting/work-{a}/connections/{w.a2.pk}/": [w.colleague],
        "/en/acting/private/connections/": [w.anna],
        f"/en/acting/company-{a}/security/": [w.anna],
        f"/en/acting/company-{a}/security/audit.csv": [w.anna],
        f"/en/acting/company-{b}/security/": [w.bruno],
        f"/en/acting/work-{a}/security/": [],
        "/en/acting/private/security/": [],
        f"/en/acting/private/connections/{w.private.pk}/": [w.anna],
    }


def test_every_route_is_opened_by_its_rightful_people(world: World) -> None:
    for url, owners in _routes(world).items():
        for owner in owners:
            assert _as(Client(), owner).get(url).status_code == 200, (url, owner)


def _main(page: bytes) -> bytes:
    return page[page.index(b"<main") : page.index(b"</main>")]


@pytest.mark.parametrize("principal", ["bruno", "peteris", "colleague", "edgars", "anna", "anonymous"])
def test_no_one_else_reaches_a_route_and_the_refusal_looks_like_a_missing_page(world: World, principal: str) -> None:
    identity = None if principal == "anonymous" else getattr(world, principal)
    client = _as(Client(), identity)
    missing = client.get("/en/acting/nobody-1/connections/999999/")
    for url, owners in _routes(world).items():
        if identity in owners:
            continue
        response = client.get(url)
        if identity is None:
            assert response.status_code == 302, url
            assert "/login/" in response["Location"]
            continue
        assert response.status_code == 404, (principal, url)
        if principal == "edgars" and f"/company-{world.company_a.pk}/" in url:
            # His own mandate for A ran out yesterday: he, and only he, reads that instead of "not found".
            assert "Your rights for SIA Alfa ended on" in response.content.decode(), url
            continue
        # The same page: our 404 in the portal's layout, whose header differs only by the per-response CSRF mask
        # and the language switcher's return address.
        assert _main(response.content) == _main(missing.content), (principal, url)


def test_an_employee_cannot_open_a_colleagues_connection_by_guessing_its_id(world: World) -> None:
    client = _as(Client(), world.peteris)
    a = world.company_a.pk
    assert client.get(f"/en/acting/work-{a}/connections/{world.a2.pk}/").status_code == 404
    assert client.get(f"/en/acting/company-{a}/connections/{world.a2.pk}/").status_code == 404
    listed = client.get(f"/en/acting/work-{a}/connections/").context["page"].object_list
    assert [c.pk for c in listed] == [world.a1.pk]


def test_companies_are_isolated_from_each_other(world: World) -> None:
    client = _as(Client(), world.anna)
    assert client.get(f"/en/acting/company-{world.company_b.pk}/connections/").status_code == 404
    assert client.get(f"/en/acting/company-{world.company_a.pk}/connections/{world.b1.pk}/").status_code == 404


def test_an_expired_mandate_gives_nothing_even_before_it_is_marked_expired(world: World) -> None:
    kinds = {c.kind for c in contexts_of(world.edgars)}
    assert ContextKind.COMPANY not in kinds
    assert _as(Client(), world.edgars).get(f"/en/acting/company-{world.company_a.pk}/connections/").status_code == 404


def test_a_revoked_mandate_cuts_access_at_the_next_request_of_an_open_session(world: World) -> None:
    client = _as(Client(), world.anna)
    url = f"/en/acting/company-{world.company_a.pk}/connections/"
    assert client.get(url).status_code == 200
    world.company_a.mandates.filter(attorney_code="15038512346").update(status=MandateStatus.REVOKED)
    assert client.get(url).status_code == 404


def test_an_ended_binding_or_a_terminated_connection_cuts_the_employee_off_at_once(world: World) -> None:
    client = _as(Client(), world.peteris)
    url = f"/en/acting/work-{world.company_a.pk}/connections/{world.a1.pk}/"
    assert client.get(url).status_code == 200
    ConnectionBinding.objects.filter(connection=world.a1).update(status=BindingStatus.ENDED)
    assert client.get(url).status_code == 404
    ConnectionBinding.objects.filter(connection=world.a1).update(status=BindingStatus.ACTIVE)
    Connection.objects.filter(pk=world.a1.pk).update(
        status=ConnectionStatus.TERMINATED, terminated_on=timezone.localdate()
    )
    assert client.get(url).status_code == 404


def test_a_personal_code_change_keeps_the_private_contracts_of_the_old_code(world: World) -> None:
    from selfcare.identity.services import change_personal_code

    change_personal_code(identity=world.anna, new_code="32888888888")
    assert _as(Client(), world.anna).get(f"/en/acting/private/connections/{world.private.pk}/").status_code == 200


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found.extend(_walk(pattern.url_patterns, prefix + str(pattern.pattern)))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern.callback))
    return found


def test_every_portal_route_declares_its_access_policy() -> None:
    """Deny by default for the code base: a new page without a declared policy fails this test."""
    routes = [
        (route, view)
        for route, view in _walk(get_resolver().url_patterns)
        if view.__module__.startswith("selfcare.portal")
    ]
    assert len(routes) >= 15
    undeclared = [
        route
        for route, view in routes
        if getattr(view, POLICY_ATTRIBUTE, None) not in {"public", "identity", "context"}
    ]
    assert undeclared == []
    context_routes = [route for route, view in routes if getattr(view, POLICY_ATTRIBUTE) == "context"]
    assert all("<str:context>" in route for route in context_routes)


def test_a_mandate_for_selected_connections_covers_only_those(world: World) -> None:
    from selfcare.mandates.models import MandateScope

    limited = people.person("03097513578", "LAURA")
    mandate = people.mandate(world.company_b, limited, scope=MandateScope.SELECTED)
    extra = factories.connection(account=world.b1.account)
    mandate.connections.add(world.b1)
    client = _as(Client(), limited)
    b = world.company_b.pk
    assert client.get(f"/en/acting/company-{b}/connections/{world.b1.pk}/").status_code == 200
    assert client.get(f"/en/acting/company-{b}/connections/{extra.pk}/").status_code == 404
    assert [c.pk for c in client.get(f"/en/acting/company-{b}/connections/").context["page"].object_list] == [
        world.b1.pk
    ]


def test_a_person_whose_mandate_was_revoked_is_told_when_their_rights_for_the_company_ended(world: World) -> None:
    client = _as(Client(), world.anna)
    url = f"/en/acting/company-{world.company_a.pk}/connections/"
    world.company_a.mandates.filter(attorney_code="15038512346").update(status=MandateStatus.REVOKED)
    response = client.get(url)
    assert response.status_code == 404
    today = timezone.localdate()
    text = response.content.decode()
    assert f"Your rights for SIA Alfa ended on {today.day} {today:%B} {today.year}" in text


def test_a_person_whose_mandate_ran_out_yesterday_is_told_the_last_day_in_their_language(world: World) -> None:
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    response = _as(Client(), world.edgars).get(f"/acting/company-{world.company_a.pk}/connections/")
    assert response.status_code == 404
    assert "Jūsu tiesības uzņēmumā SIA Alfa beidzās" in response.content.decode()
    assert f"{yesterday.year}. gada {yesterday.day}." in response.content.decode()


def test_an_employee_whose_binding_ended_is_told_so(world: World) -> None:
    client = _as(Client(), world.peteris)
    url = f"/en/acting/work-{world.company_a.pk}/connections/{world.a1.pk}/"
    ConnectionBinding.objects.filter(connection=world.a1).update(status=BindingStatus.ENDED, ended_at=timezone.now())
    response = client.get(url)
    assert response.status_code == 404
    assert "Your work number at SIA Alfa was unbound on" in response.content.decode()


def test_rights_that_ended_long_ago_or_were_someone_elses_give_the_plain_404(world: World) -> None:
    long_ago = timezone.localdate() - datetime.timedelta(days=200)
    world.company_a.mandates.filter(attorney_code="01059011113").update(
        valid_from=long_ago - datetime.timedelta(days=30), valid_until=long_ago
    )
    url = f"/en/acting/company-{world.company_a.pk}/connections/"
    for who in (world.edgars, world.bruno, world.peteris, world.colleague):
        response = _as(Client(), who).get(url)
        assert response.status_code == 404, who
        assert "SIA Alfa" not in response.content.decode(), who
    # Edgars's own expired mandate tells nothing about another company either.
    response = _as(Client(), world.edgars).get(f"/en/acting/company-{world.company_b.pk}/connections/")
    assert "SIA Beta" not in response.content.decode()


@pytest.mark.django_db
def test_a_context_named_in_a_url_is_the_same_as_the_one_in_the_persons_list_and_no_other_resolves() -> None:
    """resolve_context derives only the context a URL names: it must agree with contexts_of for every kind."""
    from selfcare.demo.dataset import PERSONS
    from selfcare.demo.loader import load_demo
    from selfcare.identity.services import identity_for_code

    load_demo()
    kinds: set[ContextKind] = set()
    company_ids = list(Company.objects.values_list("pk", flat=True))
    for demo in PERSONS:
        identity = identity_for_code(code=demo.code, given_name=demo.given_name, family_name=demo.family_name)
        listed = {c.key: c for c in contexts_of(identity)}
        kinds |= {c.kind for c in listed.values()}
        for key, context in listed.items():
            assert resolve_context(identity, key) == context
        others = ["private"] + [f"{kind}-{pk}" for kind in ("company", "work", "representative") for pk in company_ids]
        for key in others:
            if key not in listed:
                with pytest.raises(NotFound):
                    resolve_context(identity, key)
    assert kinds == set(ContextKind)  # the demo has every kind, so each branch was compared
