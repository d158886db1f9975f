"""Loads the demo world into the database, idempotently: a second run finds everything in place and changes nothing.

Named records are upserted by their natural keys (plan code, registration number, account number, MSISDN).
Generated connections (`scale`) are bulk-inserted with conflicts ignored, so 10,000 per company take seconds and a
re-run inserts none.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.utils import timezone
from oauth2_provider.models import Application

from selfcare.access.models import StaffRole, StaffRoleGrant
from selfcare.access.services import role_grant_from_server
from selfcare.binding.models import BindingStatus, ConnectionBinding
from selfcare.customers.models import (
    Company,
    Connection,
    ConnectionStatus,
    CustomerAccount,
    Segment,
    TariffPlan,
)
from selfcare.demo import dataset
from selfcare.demo.offers import ensure_offers
from selfcare.demo.usage import load_demo_usage, placed_cycle_day, reset_usage
from selfcare.identifiers import PersonalCode, parse_msisdn
from selfcare.identity.models import DigitalIdentity, NationalIdentifier
from selfcare.mandates.models import Mandate, MandateStatus, Representation, Representative, RepresentativeSource
from selfcare.usage.models import OutOfBundleRate

BULK_BATCH = 2000
# The password account of earlier demos: its password is made unusable on the next load (staff log in with eID).
OLD_DEMO_STAFF_USERNAME = "backoffice"


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    # Demo usage follows the clock (hours that passed since the last load are added), so it is not a "change".
    usage_recorded: int = 0

    def count(self, kind: str, *, created: bool, changed: bool) -> None:
        if created:
            self.created[kind] = self.created.get(kind, 0) + 1
        elif changed:
            self.updated[kind] = self.updated.get(kind, 0) + 1

    @property
    def changed_anything(self) -> bool:
        return bool(self.created or self.updated)


def _upsert(report: LoadReport, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]) -> Any:
    """get-or-create by natural key; write only when a value differs, so a re-run is a no-op."""
    obj = model._default_manager.filter(**lookup).first()
    created = obj is None
    if obj is None:
        obj = model(**lookup, **values)
        changed = True
    else:
        changed = any(getattr(obj, name) != value for name, value in values.items())
        for name, value in values.items():
            setattr(obj, name, value)
    if changed:
        obj.full_clean()
        obj.save()
    report.count(model.__name__, created=created, changed=changed)
    return obj


MAX_GENERATED = 900_000  # a block +371 BB 1xxxxx … 9xxxxx holds this many numbers


def generated_msisdn(block: int, index: int) -> str:
    if not 0 <= index < MAX_GENERATED:
        raise ValueError(f"a company's block holds {MAX_GENERATED} generated numbers, not {index + 1}")
    return f"+371{block}{index + 100000:06d}"


@transaction.atomic
def load_demo(*, scale: int | None = None, usage: bool = True) -> LoadReport:
    """Create or refresh the demo world. `scale` sets the number of generated connections per company; `usage`
    adds the demo's usage events (selfcare.demo.usage)."""
    report = LoadReport()
    now = timezone.now()
    moved: list[CustomerAccount] = []
    plans = {plan.code: _upsert(report, TariffPlan, {"code": plan.code}, _plan_values(plan)) for plan in dataset.PLANS}
    for plan in plans.values():
        for kind, zone, price, per in dataset.OUT_OF_BUNDLE_RATES:
            _upsert(report, OutOfBundleRate, {"plan": plan, "kind": kind, "zone": zone}, {"price": price, "per": per})

    for company_data in dataset.COMPANIES:
        company = _upsert(
            report,
            Company,
            {"registration_number": company_data.registration_number},
            {
                "name": company_data.name,
                "vat_number": "LV" + company_data.registration_number,
                "legal_address": "Rīga",
            },
        )
        account = _upsert(
            report,
            CustomerAccount,
            {"account_number": company_data.account_number},
            {
                "kind": Segment.BUSINESS,
                "company": company,
                "billing_cycle_day": _cycle_day(company_data.account_number, now, moved),
            },
        )
        for named in company_data.named:
            _upsert_connection(report, account, plans, named)
        count = company_data.connections if scale is None else scale
        _bulk_generate(report, account, company_data, plans, count)

    for person in dataset.PERSONS:
        if person.private_account is None:
            continue
        code = PersonalCode.parse(person.personal_code)
        account = _upsert(
            report,
            CustomerAccount,
            {"account_number": person.private_account},
            {
                "kind": Segment.PRIVATE,
                "holder_country": code.country,
                "holder_personal_code": code.code,
                "holder_name": person.name,
                "billing_cycle_day": _cycle_day(person.private_account, now, moved),
            },
        )
        for connection in person.private_connections:
            _upsert_connection(report, account, plans, connection)
    _ensure_mandates_and_bindings(report)
    _ensure_representatives(report)
    _ensure_demo_staff(report)
    _ensure_demo_app_client(report)
    ensure_offers(report)
    reset_usage(moved)
    if usage:
        report.usage_recorded = load_demo_usage(now=now).recorded
    return report


def _cycle_day(account_number: str, now: datetime.datetime, moved: list[CustomerAccount]) -> int:
    """The demo account's billing cycle day at `now` (selfcare.demo.usage.placed_cycle_day); an existing account
    whose cycle moves is added to `moved`, so that its usage is made anew in the new cycles."""
    account = CustomerAccount.objects.filter(account_number=account_number).first()
    day = placed_cycle_day(account.billing_cycle_day if account else None, now)
    if account is not None and account.billing_cycle_day != day:
        moved.append(account)
    return day


def _ensure_mandates_and_bindings(report: LoadReport) -> None:
    """Anna's powers of attorney for the four companies, and Pēteris's bound work number.

    Created once and then left alone (their dates are relative to the day they were made, so that the demo
    keeps working; a re-run must not move them).
    """
    today = timezone.localdate()
    for person in dataset.PERSONS:
        code = PersonalCode.parse(person.personal_code)
        for registration_number in person.main_user_of:
            company = Company.objects.get(registration_number=registration_number)
            if not Mandate.objects.filter(company=company, attorney_code=code.code).exists():
                Mandate.objects.create(
                    company=company,
                    attorney_country=code.country,
                    attorney_code=code.code,
                    attorney_name=person.name,
                    status=MandateStatus.ACTIVE,
                    valid_from=today - datetime.timedelta(days=30),
                    valid_until=today + datetime.timedelta(days=335),
                )
                report.count("Mandate", created=True, changed=True)
        for msisdn in person.work_numbers:
            connection = Connection.objects.get(msisdn=msisdn, status=ConnectionStatus.ACTIVE)
            if ConnectionBinding.objects.filter(connection=connection, status=BindingStatus.ACTIVE).exists():
                continue
            identity = _demo_identity(report, person, code)
            ConnectionBinding.objects.create(connection=connection, identity=identity)
            report.count("ConnectionBinding", created=True, changed=True)


def _ensure_representatives(report: LoadReport) -> None:
    """The demo's board members, as the Register of Enterprises would list them (masked code, sole rights)."""
    for person in dataset.PERSONS:
        code = PersonalCode.parse(person.personal_code)
        for registration_number in person.represents:
            company = Company.objects.get(registration_number=registration_number)
            _upsert(
                report,
                Representative,
                {"company": company, "source": RepresentativeSource.REGISTER, "source_id": f"demo-{code.code}"},
                {
                    "name": person.name,
                    "code_prefix": code.code[:6],
                    "position": "Valdes loceklis",
                    "representation": Representation.SOLE,
                    "signatures_required": 1,
                },
            )


def _demo_identity(report: LoadReport, person: dataset.DemoPerson, code: PersonalCode) -> DigitalIdentity:
    """The digital identity of a demo person who, in the demo's story, has already logged in once."""
    found = NationalIdentifier.objects.filter(country=code.country, code=code.code).select_related("identity").first()
    if found is not None:
        return found.identity
    user = get_user_model()._default_manager.create_user(username=f"id-demo-{code.code}")
    identity = DigitalIdentity.objects.create(
        user=user,
        given_name=person.given_name.upper(),
        family_name=person.family_name.upper(),
        names_verified_at=timezone.now(),
    )
    NationalIdentifier.objects.create(identity=identity, country=code.country, code=code.code)
    report.count("DigitalIdentity", created=True, changed=True)
    return identity


def _ensure_demo_staff(report: LoadReport) -> None:
    """The demo's staff persons with their roles (granted as from the server's command line), and no password
    account: an earlier demo's `backoffice` user loses its password."""
    for person in dataset.PERSONS:
        if not person.staff_roles:
            continue
        identity = _demo_identity(report, person, PersonalCode.parse(person.personal_code))
        for role in person.staff_roles:
            if not StaffRoleGrant.objects.live().filter(identity=identity, role=role).exists():
                role_grant_from_server(identity=identity, role=StaffRole(role))
                report.count("StaffRoleGrant", created=True, changed=True)
    old = get_user_model()._default_manager.filter(username=OLD_DEMO_STAFF_USERNAME).first()
    if old is not None and old.has_usable_password():
        old.set_unusable_password()
        old.is_staff = old.is_superuser = False
        old.save(update_fields=["password", "is_staff", "is_superuser"])
        report.count("User", created=False, changed=True)


def _ensure_demo_app_client(report: LoadReport) -> None:
    """The app's public OpenID Connect client, so that `selfcare app-demo` can log in."""
    _upsert(
        report,
        Application,
        {"client_id": dataset.DEMO_APP_CLIENT_ID},
        {
            "name": dataset.DEMO_APP_NAME,
            "client_type": Application.CLIENT_PUBLIC,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": dataset.DEMO_APP_REDIRECT_URI,
            "post_logout_redirect_uris": dataset.DEMO_APP_POST_LOGOUT_URI,
            "algorithm": Application.RS256_ALGORITHM,
            # First-party app: the person's eID login is the consent; no extra "allow" page.
            "skip_authorization": True,
        },
    )


def _plan_values(plan: dataset.DemoPlan) -> dict[str, Any]:
    return {
        "name": plan.name,
        "segment": plan.segment,
        "monthly_fee": plan.monthly_fee,
        "data_bytes": plan.data_bytes,
        "fair_use_bytes": plan.fair_use_bytes,
        "eu_data_bytes": plan.eu_data_bytes,
        "voice_minutes": plan.voice_minutes,
        "sms": plan.sms,
        "is_active": True,
    }


def _upsert_connection(
    report: LoadReport, account: CustomerAccount, plans: dict[str, TariffPlan], data: dataset.DemoConnection
) -> Connection:
    connection: Connection = _upsert(
        report,
        Connection,
        {"msisdn": parse_msisdn(data.msisdn), "status": ConnectionStatus.ACTIVE},
        {
            "account": account,
            "tariff_plan": plans[data.plan],
            "user_label": data.label,
            "activated_on": datetime.date.fromisoformat(data.activated_on),
        },
    )
    return connection


def _bulk_generate(
    report: LoadReport,
    account: CustomerAccount,
    company: dataset.DemoCompany,
    plans: dict[str, TariffPlan],
    count: int,
) -> None:
    """Insert the company's generated connections 0..count-1 that are missing; existing ones are left alone."""
    wanted = {generated_msisdn(company.msisdn_block, i): i for i in range(count)}
    # Each company's generated numbers live in a block of their own, so one prefix query finds those present.
    block = f"+371{company.msisdn_block}"
    existing = set(Connection.objects.filter(msisdn__startswith=block).values_list("msisdn", flat=True))
    missing = [msisdn for msisdn in wanted if msisdn not in existing]
    if not missing:
        return
    base_day = datetime.date(2020, 1, 1)
    rows = []
    for msisdn in missing:
        index = wanted[msisdn]
        parse_msisdn(msisdn)  # generated numbers must be real Latvian mobile numbers, like any other
        rows.append(
            Connection(
                msisdn=msisdn,
                account=account,
                tariff_plan=plans[company.plan_mix[index % len(company.plan_mix)]],
                status=ConnectionStatus.SUSPENDED if index % 97 == 13 else ConnectionStatus.ACTIVE,
                activated_on=base_day + datetime.timedelta(days=(index * 37) % 2000),
                user_label=dataset.generated_label(index),
            )
        )
    Connection.objects.bulk_create(rows, batch_size=BULK_BATCH, ignore_conflicts=True)
    report.created["Connection"] = report.created.get("Connection", 0) + len(rows)
