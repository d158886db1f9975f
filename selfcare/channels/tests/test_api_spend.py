"""The app API's spend: a connection's running out-of-bundle charges and its cap, behind the `spend` scope."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.channels.tests import oidc
from selfcare.channels.tests.test_api import get, token_for
from selfcare.customers.tests import factories
from selfcare.spend.tests.factories import MB, cap, priced_connection
from selfcare.usage.tests.helpers import feed, row

pytestmark = pytest.mark.django_db


def test_the_main_user_reads_a_connections_running_spend_and_cap_and_others_cannot() -> None:
    oidc.app()
    company = factories.company(name="SIA Alfa")
    connection = priced_connection(account=factories.business_account(company=company))
    cap(connection, "20")
    anna, peteris = people.person("15038512346", "ANNA"), people.person("22079018761", "PĒTERIS")
    people.mandate(company, anna)
    people.binding(connection, peteris)
    a_minute_ago = timezone.now() - datetime.timedelta(minutes=1)
    feed(row(connection.msisdn, 125 * MB, a_minute_ago))  # 25 MB beyond the bundle at 0.10 €
    url = f"/api/v1/contexts/company-{company.pk}/connections/{connection.pk}/spend"
    body = json.loads(get(url, token_for(anna)).content)
    assert body["outOfBundle"] == {"unit": "EUR", "value": "2.50"}
    assert body["cap"]["amount"]["value"] == "20.00"
    assert body["cap"]["thresholds"] == [70, 100]
    assert body["cap"]["atCap"] == "tell"  # only tell at 100 % (the default); "bar" bars chargeable services
    assert Decimal(body["outOfBundle"]["value"]) == Decimal("2.5")
    assert get(url, token_for(anna, "openid usage")).status_code == 403  # no `spend` scope
    work = f"/api/v1/contexts/work-{company.pk}/connections/{connection.pk}/spend"
    assert get(work, token_for(peteris)).status_code == 404
    stranger = people.person("32579104511", "LĪGA")
    assert get(url, token_for(stranger)).status_code == 404
