import pytest
from django.test import Client

from selfcare.access.tests import factories as people
from selfcare.audit.models import AppendOnlyError, AuditEvent
from selfcare.customers.tests import factories

pytestmark = pytest.mark.django_db


def test_opening_a_connection_in_a_context_is_audited_with_the_identity_and_the_context(client: Client) -> None:
    company = factories.company()
    connection = factories.connection(account=factories.business_account(company=company))
    anna = people.person("15038512346")
    people.mandate(company, anna)
    client.force_login(anna.user)
    client.get(f"/en/acting/company-{company.pk}/connections/{connection.pk}/", REMOTE_ADDR="192.0.2.7")
    event = AuditEvent.objects.get()
    assert (event.identity, event.context, event.company_id, event.action) == (
        anna,
        f"company-{company.pk}",
        company.pk,
        "portal:connection:view",
    )
    assert (event.object_type, event.object_id, event.ip_address) == (
        "customers.connection",
        str(connection.pk),
        "192.0.2.7",
    )


def test_a_refused_look_leaves_no_event_that_could_reveal_the_object(client: Client) -> None:
    other = factories.connection()
    anna = people.person("15038512346")
    client.force_login(anna.user)
    assert client.get(f"/en/acting/company-{other.account.company_id}/connections/{other.pk}/").status_code == 404
    assert not AuditEvent.objects.exists()


def test_logout_is_audited(client: Client) -> None:
    anna = people.person("15038512346")
    client.force_login(anna.user)
    client.post("/en/logout/")
    assert AuditEvent.objects.get().action == "identity:session:logout"


def test_the_audit_trail_is_append_only() -> None:
    event = AuditEvent.objects.create(action="test:thing:done")
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().action == "test:thing:done"
