"""A small world for the offers tests: a private customer, a company with a main user, and an employee."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest

from selfcare.access.tests import factories as people
from selfcare.customers.models import Company, Connection, Segment
from selfcare.customers.tests import factories as customers
from selfcare.identity.models import DigitalIdentity


@dataclass
class World:
    anna: DigitalIdentity  # private customer, and main user of the company
    anna_phone: Connection
    anna_second: Connection
    company: Company
    peteris: DigitalIdentity  # employee, bound to `work_phone`
    work_phone: Connection
    colleague_phone: Connection  # same company, not Pēteris's
    stranger_phone: Connection  # another person's private connection


@pytest.fixture
def world(db: None) -> World:
    anna = people.person("150385-12346", "ANNA", "BĒRZIŅA")
    peteris = people.person("220790-18761", "PĒTERIS", "OZOLS")
    private_plan = customers.tariff_plan(segment=Segment.PRIVATE)
    account = customers.private_account(personal_code="150385-12346", holder_name="Anna Bērziņa")
    anna_phone = customers.connection(account=account, tariff_plan=private_plan, activated_on=datetime.date(2019, 5, 2))
    anna_second = customers.connection(account=account, tariff_plan=private_plan)
    stranger = customers.private_account(personal_code="161175-19997")
    stranger_phone = customers.connection(account=stranger, tariff_plan=private_plan)
    company = customers.company(name="SIA Ziemeļu Loģistika")
    business = customers.business_account(company=company)
    work_phone = customers.connection(account=business, activated_on=datetime.date(2022, 9, 15))
    colleague_phone = customers.connection(account=business)
    people.mandate(company, anna)
    people.binding(work_phone, peteris)
    return World(anna, anna_phone, anna_second, company, peteris, work_phone, colleague_phone, stranger_phone)
