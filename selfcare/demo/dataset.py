"""The demo world: the picture from the operator's notice, as data.

One person (Anna) has private connections and acts for four companies ("SIA …" 1–4, as in the notice's
illustration); an employee (Pēteris) uses a work number of one of them; a new person (Līga) has no connection yet;
a board member (Jānis) represents one company in the Register of Enterprises and can give main user rights.
Personal codes and registration numbers are made up but valid (checksums hold); numbers are in Latvian mobile
ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from selfcare.customers.models import GB, Segment
from selfcare.identifiers import PersonalCode


@dataclass(frozen=True)
class DemoPlan:
    code: str
    name: str
    segment: str
    monthly_fee: Decimal
    data_bytes: int | None
    eu_data_bytes: int
    fair_use_bytes: int | None = None
    voice_minutes: int | None = None
    sms: int | None = None


@dataclass(frozen=True)
class DemoConnection:
    msisdn: str
    plan: str
    label: str = ""
    activated_on: str = "2023-03-01"


@dataclass(frozen=True)
class DemoCompany:
    name: str
    registration_number: str
    account_number: str
    msisdn_block: int  # generated numbers are +371 <block>XXXXXX
    connections: int  # how many generated connections the plain demo has (``--scale`` overrides)
    plan_mix: tuple[str, ...]
    named: tuple[DemoConnection, ...] = ()


@dataclass(frozen=True)
class DemoPerson:
    given_name: str
    family_name: str
    personal_code: str
    role: StrOrPromise  # what the person shows in the demo: printed by `make run`, shown on the simulators' pages
    private_account: str | None = None
    private_connections: tuple[DemoConnection, ...] = ()
    main_user_of: tuple[str, ...] = field(default=())  # registration numbers: an active power of attorney each
    work_numbers: tuple[str, ...] = field(default=())  # company connections bound to the person
    represents: tuple[str, ...] = field(default=())  # registration numbers: board member with sole rights
    staff_roles: tuple[str, ...] = field(default=())  # back-office roles (selfcare.access.models.StaffRole values)

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def code(self) -> PersonalCode:
        """The person's national identifier: a bare code is Latvian, "EE 4900…" Estonian, "LT 3850…" Lithuanian."""
        return PersonalCode.parse(self.personal_code)


# Business plans follow Tele2 LV's "Bizness Eiropa" line (prices excl. VAT, DOMAIN.md §3). EU roaming allowances
# follow the fair-use rule: the full domestic volume where the plan is cheap enough per GB, otherwise
# 2 x monthly fee / wholesale cap (EUR 1.10/GB in 2026), as for the unlimited plans.
# What use beyond a plan's bundle costs, the same for every demo plan (kind, zone, EUR excl. VAT, per units): data
# per started MB, calls per started minute, SMS each; in the EU calls and SMS cost as at home. Outside the EU by
# zone (docs/spend.md): world zone 1 (non-EU Europe), world zone 2 (North America), the rest of the world ("world").
OUT_OF_BUNDLE_RATES: tuple[tuple[str, str, Decimal, int], ...] = (
    ("data", "domestic", Decimal("0.0100"), 1000**2),
    ("data", "eu", Decimal("0.0020"), 1000**2),
    ("data", "world1", Decimal("0.1000"), 1000**2),
    ("data", "world2", Decimal("0.2500"), 1000**2),
    ("data", "world", Decimal("0.5000"), 1000**2),
    ("voice", "domestic", Decimal("0.0500"), 60),
    ("voice", "world1", Decimal("0.5000"), 60),
    ("voice", "world2", Decimal("0.9000"), 60),
    ("voice", "world", Decimal("1.5000"), 60),
    ("sms", "domestic", Decimal("0.0600"), 1),
    ("sms", "world1", Decimal("0.2000"), 1),
    ("sms", "world2", Decimal("0.3000"), 1),
    ("sms", "world", Decimal("0.4000"), 1),
)

PLANS: tuple[DemoPlan, ...] = (
    DemoPlan(
        "bizness-eiropa-1-5",
        "Bizness Eiropa 1,5 GB",
        Segment.BUSINESS,
        Decimal("12.99"),
        1_500_000_000,
        1_500_000_000,
        voice_minutes=None,
        sms=None,
    ),
    DemoPlan("bizness-eiropa-5", "Bizness Eiropa 5 GB", Segment.BUSINESS, Decimal("15.99"), 5 * GB, 5 * GB),
    DemoPlan("bizness-eiropa-15", "Bizness Eiropa 15 GB", Segment.BUSINESS, Decimal("19.99"), 15 * GB, 15 * GB),
    DemoPlan(
        "bizness-eiropa-bezlimits",
        "Bizness Eiropa Bezlimits",
        Segment.BUSINESS,
        Decimal("23.99"),
        None,
        43 * GB,
        fair_use_bytes=1000 * GB,
    ),
    DemoPlan("datu-20", "Datu 20 GB", Segment.BUSINESS, Decimal("7.99"), 20 * GB, 14 * GB, voice_minutes=0, sms=0),
    DemoPlan(
        "privats-10",
        "Privāts 10 GB",
        Segment.PRIVATE,
        Decimal("9.99"),
        10 * GB,
        10 * GB,
        voice_minutes=500,
        sms=500,
    ),
    DemoPlan(
        "privats-bezlimits",
        "Privāts Bezlimits",
        Segment.PRIVATE,
        Decimal("19.99"),
        None,
        36 * GB,
        fair_use_bytes=1000 * GB,
    ),
)

COMPANIES: tuple[DemoCompany, ...] = (
    DemoCompany(
        "SIA Ziemeļu Loģistika",
        "40003111115",
        "B-10000001",
        25,
        60,
        ("bizness-eiropa-5", "bizness-eiropa-15", "bizness-eiropa-bezlimits", "datu-20"),
        named=(DemoConnection("+37125500001", "bizness-eiropa-15", "Pēteris Ozols", "2022-09-15"),),
    ),
    DemoCompany(
        "SIA Daugavas Dizains",
        "40103222224",
        "B-10000002",
        26,
        24,
        ("bizness-eiropa-1-5", "bizness-eiropa-5", "bizness-eiropa-15"),
    ),
    DemoCompany(
        "SIA Baltijas Būvnieks",
        "40203333333",
        "B-10000003",
        27,
        120,
        ("bizness-eiropa-5", "bizness-eiropa-bezlimits", "datu-20"),
    ),
    DemoCompany("SIA Rīgas Kafija", "40103444454", "B-10000004", 28, 8, ("bizness-eiropa-1-5", "bizness-eiropa-5")),
)

PERSONS: tuple[DemoPerson, ...] = (
    DemoPerson(
        "Anna",
        "Bērziņa",
        "150385-12346",
        role=_("private connections and main user of four companies"),
        private_account="P-20000001",
        private_connections=(
            DemoConnection("+37129100001", "privats-bezlimits", "Anna", "2019-05-02"),
            DemoConnection("+37129100002", "privats-10", "Marta (meita)", "2021-08-20"),
        ),
        main_user_of=tuple(company.registration_number for company in COMPANIES),
    ),
    DemoPerson(
        "Pēteris",
        "Ozols",
        "220790-18761",
        role=_("employee: work number +371 25 500 001 of SIA Ziemeļu Loģistika"),
        work_numbers=("+37125500001",),
    ),
    DemoPerson("Līga", "Liepa", "32579104511", role=_("new person: no connections yet")),
    DemoPerson(
        "Jānis",
        "Kalniņš",
        "120478-11230",
        role=_("board member of SIA Rīgas Kafija (represents it alone): gives and revokes main user rights"),
        represents=("40103444454",),
    ),
    # Smart-ID serves Estonia and Lithuania too: people from there work for Latvian companies.
    DemoPerson(
        "Kadri",
        "Tamm",
        "EE 49005120274",
        role=_("Estonian employee: logs in with Smart-ID, then binds a Latvian work number"),
    ),
    DemoPerson(
        "Jonas",
        "Kazlauskas",
        "LT 38507201230",
        role=_("Lithuanian: can be given main user rights (a power of attorney) by a company"),
    ),
    # Back-office staff: they log in with eID like everyone, then hold staff roles. Two of each role that needs
    # four eyes, so that one asks and the other approves.
    DemoPerson(
        "Ilze",
        "Sproģe",
        "32112233445",
        role="staff: customer service and mandate officer (back office)",
        staff_roles=("customer_service", "mandate_officer"),
    ),
    DemoPerson(
        "Mārtiņš",
        "Zariņš",
        "32223344556",
        role="staff: mandate officer, customer service and administrator (back office)",
        staff_roles=("mandate_officer", "customer_service", "administrator"),
    ),
    DemoPerson(
        "Dace",
        "Roze",
        "32334455667",
        role="staff: administrator, offers editor and auditor (back office)",
        staff_roles=("administrator", "offers_editor", "auditor"),
    ),
)

# Latvian family names agree with the person's gender: (masculine, feminine).
GIVEN_NAMES = (
    ("Jānis", 0),
    ("Anna", 1),
    ("Andris", 0),
    ("Kristīne", 1),
    ("Mārtiņš", 0),
    ("Ilze", 1),
    ("Edgars", 0),
    ("Laura", 1),
    ("Roberts", 0),
    ("Elīna", 1),
    ("Kārlis", 0),
    ("Dace", 1),
    ("Artūrs", 0),
    ("Zane", 1),
    ("Toms", 0),
    ("Inese", 1),
    ("Valdis", 0),
    ("Agnese", 1),
    ("Raimonds", 0),
)
FAMILY_NAMES = (
    ("Kalniņš", "Kalniņa"),
    ("Ozoliņš", "Ozoliņa"),
    ("Liepiņš", "Liepiņa"),
    ("Krūmiņš", "Krūmiņa"),
    ("Balodis", "Balode"),
    ("Zariņš", "Zariņa"),
    ("Vītols", "Vītola"),
    ("Jansons", "Jansone"),
    ("Kļaviņš", "Kļaviņa"),
    ("Siliņš", "Siliņa"),
    ("Bērziņš", "Bērziņa"),
    ("Lācis", "Lāce"),
    ("Grīnbergs", "Grīnberga"),
    ("Celmiņš", "Celmiņa"),
    ("Priedītis", "Priedīte"),
    ("Eglītis", "Eglīte"),
)


def generated_label(index: int) -> str:
    """A stable, plausible user label for the index-th generated connection of a company."""
    given, feminine = GIVEN_NAMES[index % len(GIVEN_NAMES)]
    family = FAMILY_NAMES[(index // len(GIVEN_NAMES)) % len(FAMILY_NAMES)][feminine]
    return f"{given} {family}"


# The app's OpenID Connect client in the demo: public (no secret), PKCE, a loopback redirect (RFC 8252: any port at
# run time, everything else exact). `python -m selfcare app-demo` logs in with it.
DEMO_APP_CLIENT_ID = "tele2-app-demo"
DEMO_APP_NAME = "Tele2 app (demo)"
DEMO_APP_REDIRECT_URI = "http://127.0.0.1/callback"
DEMO_APP_POST_LOGOUT_URI = "http://127.0.0.1/logged-out"
DEMO_APP_SCOPES = "openid profile connections binding usage offers mandates bills orders spend"
