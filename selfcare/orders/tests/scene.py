"""A small world for order tests: a company with a main user and an employee, a private customer, a stranger."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from selfcare.access.contexts import Context, ContextKind, contexts_of
from selfcare.access.tests.factories import binding, mandate, person
from selfcare.customers.models import Connection, Segment, TariffPlan
from selfcare.customers.tests import factories
from selfcare.identity.models import DigitalIdentity

ANNA = "150385-12346"
PETERIS = "220790-18761"
PRIVATE = "161175-19997"
STRANGER = "32579104511"


@dataclass
class Scene:
    main_user: DigitalIdentity
    employee: DigitalIdentity
    private: DigitalIdentity
    stranger: DigitalIdentity
    company_numbers: list[Connection]
    work_number: Connection
    private_number: Connection
    other_company_number: Connection

    def context(self, identity: DigitalIdentity, kind: ContextKind) -> Context:
        return next(c for c in contexts_of(identity) if c.kind == kind)


def company_number(world: Scene, msisdn: str) -> Connection:
    """One more number of the scene's company, e.g. one the simulator's rules treat specially."""
    first = world.company_numbers[0]
    return factories.connection(account=first.account, tariff_plan=first.tariff_plan, msisdn=msisdn)


def plans() -> dict[str, TariffPlan]:
    wanted = [
        ("bizness-eiropa-5", Segment.BUSINESS, "15.99"),
        ("bizness-eiropa-15", Segment.BUSINESS, "19.99"),
        ("bizness-eiropa-1-5", Segment.BUSINESS, "12.99"),
        ("privats-10", Segment.PRIVATE, "9.99"),
        ("privats-bezlimits", Segment.PRIVATE, "19.99"),
    ]
    return {
        code: TariffPlan.objects.filter(code=code).first()
        or factories.tariff_plan(code=code, segment=segment, monthly_fee=Decimal(fee))
        for code, segment, fee in wanted
    }


def scene(numbers: int = 3) -> Scene:
    plan = plans()
    account = factories.business_account()
    company_numbers = [
        factories.connection(account=account, tariff_plan=plan["bizness-eiropa-5"], msisdn=f"+3712550{i:04d}")
        for i in range(numbers)
    ]
    other = factories.connection(tariff_plan=plan["bizness-eiropa-5"], msisdn="+37127700001")
    main_user = person(ANNA, "Anna", "Bērziņa")
    assert account.company is not None
    mandate(account.company, main_user)
    employee = person(PETERIS, "Pēteris", "Ozols")
    binding(company_numbers[0], employee)
    private_account = factories.private_account(PRIVATE)
    private_number = factories.connection(
        account=private_account, tariff_plan=plan["privats-10"], msisdn="+37129100001"
    )
    return Scene(
        main_user=main_user,
        employee=employee,
        private=person(PRIVATE, "Jānis", "Bērziņš"),
        stranger=person(STRANGER, "Līga", "Liepa"),
        company_numbers=company_numbers,
        work_number=company_numbers[0],
        private_number=private_number,
        other_company_number=other,
    )
