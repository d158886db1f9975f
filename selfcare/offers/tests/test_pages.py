"""The Komplimenti pages: offers on a connection and in a context, claiming by form and by HTMX, the result shown
again, the company's setting, and every route refusing what is not the person's with the same 404."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from PIL import Image

from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.customers.models import GB
from selfcare.mandates.models import MandateScope
from selfcare.offers.codes import upload_codes
from selfcare.offers.images import clean_image
from selfcare.offers.models import CompanyOfferSetting, OfferClaim, OfferImage, OfferKind
from selfcare.offers.tests import factories
from selfcare.offers.tests.conftest import World

pytestmark = pytest.mark.django_db


def _as(client: Client, identity: object) -> Client:
    client.force_login(identity.user)  # type: ignore[attr-defined]
    return client


def _claim_url(key: str, connection_id: int, offer_id: int) -> str:
    return f"/en/acting/{key}/connections/{connection_id}/offers/{offer_id}/claim/"


def test_a_private_customer_sees_the_gift_on_the_connection_and_claims_it(client: Client, world: World) -> None:
    offer = factories.offer(title_en="5 GB for a week", data_bytes=5 * GB, data_valid_days=7)
    client = _as(client, world.anna)
    page = client.get(f"/en/acting/private/connections/{world.anna_phone.pk}/").content.decode()
    assert "5 GB for a week" in page
    assert 'name="idempotency_key"' in page
    response = client.post(
        _claim_url("private", world.anna_phone.pk, offer.pk), {"idempotency_key": "abc"}, follow=True
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/en/acting/private/connections/{world.anna_phone.pk}/"
    assert "5 GB added, valid until" in html
    assert OfferClaim.objects.get().connection == world.anna_phone


def test_the_claim_form_sent_twice_makes_one_claim(client: Client, world: World) -> None:
    offer = factories.offer(stock_total=5)
    client = _as(client, world.anna)
    for _ in range(2):
        client.post(_claim_url("private", world.anna_phone.pk, offer.pk), {"idempotency_key": "same"})
    assert OfferClaim.objects.count() == 1


def test_htmx_swaps_in_the_card_with_the_partner_code_and_it_is_shown_again_later(client: Client, world: World) -> None:
    offer = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None, slug="kafija")
    upload_codes(offer=offer, name="list", text="KAFIJA-123\n")
    client = _as(client, world.anna)
    response = client.post(
        _claim_url("private", world.anna_phone.pk, offer.pk), {"idempotency_key": "k"}, headers={"HX-Request": "true"}
    )
    card = response.content.decode()
    assert card.lstrip().startswith("<article")
    assert 'data-testid="partner-code">KAFIJA-123<' in card
    again = client.get(f"/en/acting/private/connections/{world.anna_phone.pk}/").content.decode()
    assert "KAFIJA-123" in again
    assert "KAFIJA-123" in client.get("/en/acting/private/offers/").content.decode()


def test_an_offer_that_cannot_be_claimed_says_why(client: Client, world: World) -> None:
    factories.offer(min_tenure_days=100_000)
    html = _as(client, world.anna).get(f"/en/acting/private/connections/{world.anna_phone.pk}/").content.decode()
    assert "once the connection has been with us for 100000 days" in html
    assert 'name="idempotency_key"' not in html


def test_no_claim_on_a_connection_one_may_not_see_is_the_same_404_as_a_missing_one(
    client: Client, world: World
) -> None:
    offer = factories.offer()
    anna = _as(client, world.anna)
    assert (
        anna.post(_claim_url("private", world.stranger_phone.pk, offer.pk), {"idempotency_key": "k"}).status_code == 404
    )
    assert anna.post(_claim_url("private", 999_999, offer.pk), {"idempotency_key": "k"}).status_code == 404
    assert anna.post(_claim_url("private", world.anna_phone.pk, 999_999), {"idempotency_key": "k"}).status_code == 404
    peteris = _as(Client(), world.peteris)
    work = f"work-{world.company.pk}"
    assert (
        peteris.post(_claim_url(work, world.colleague_phone.pk, offer.pk), {"idempotency_key": "k"}).status_code == 404
    )
    assert (
        peteris.post(_claim_url("private", world.anna_phone.pk, offer.pk), {"idempotency_key": "k"}).status_code == 404
    )
    assert Client().post(_claim_url("private", world.anna_phone.pk, offer.pk)).status_code == 302  # to the login
    assert not OfferClaim.objects.exists()


def test_claiming_needs_a_post(client: Client, world: World) -> None:
    offer = factories.offer()
    assert _as(client, world.anna).get(_claim_url("private", world.anna_phone.pk, offer.pk)).status_code == 405


def test_an_employee_sees_offers_for_their_own_connection_only(client: Client, world: World) -> None:
    factories.offer(title_en="For employees", for_private=False, for_company=False, for_employees=True)
    client = _as(client, world.peteris)
    html = client.get(f"/en/acting/work-{world.company.pk}/offers/").content.decode()
    assert "For employees" in html
    assert f'data-testid="offers-connection-{world.work_phone.pk}"' in html
    assert f"offers-connection-{world.colleague_phone.pk}" not in html
    assert 'data-testid="gift-setting"' not in html


def test_the_main_user_switches_employees_gifts_off_and_the_employee_is_told(client: Client, world: World) -> None:
    offer = factories.offer()
    main_user = _as(client, world.anna)
    key = f"company-{world.company.pk}"
    assert 'data-testid="gift-setting"' in main_user.get(f"/en/acting/{key}/offers/").content.decode()
    main_user.post(f"/en/acting/{key}/offers/settings/", {})
    assert CompanyOfferSetting.objects.get(company=world.company).employees_may_claim_gifts is False
    assert AuditEvent.objects.filter(action="offers:company-setting:forbid-gifts", context=key).exists()

    peteris = _as(Client(), world.peteris)
    work = f"work-{world.company.pk}"
    page = peteris.get(f"/en/acting/{work}/connections/{world.work_phone.pk}/").content.decode()
    assert "Your employer has not enabled gifts on work numbers." in page
    peteris.post(_claim_url(work, world.work_phone.pk, offer.pk), {"idempotency_key": "k"})
    assert not OfferClaim.objects.exists()

    main_user.post(f"/en/acting/{key}/offers/settings/", {"employees_may_claim_gifts": "on"})
    peteris.post(_claim_url(work, world.work_phone.pk, offer.pk), {"idempotency_key": "k2"})
    assert OfferClaim.objects.get().connection == world.work_phone


def test_only_a_main_user_of_the_whole_company_changes_its_setting(client: Client, world: World) -> None:
    peteris = _as(client, world.peteris)
    assert peteris.post(f"/en/acting/work-{world.company.pk}/offers/settings/", {}).status_code == 404
    limited = people.person("03097513578", "LAURA")
    mandate = people.mandate(world.company, limited, scope=MandateScope.SELECTED)
    mandate.connections.add(world.colleague_phone)
    laura = _as(Client(), limited)
    assert laura.post(f"/en/acting/company-{world.company.pk}/offers/settings/", {}).status_code == 404
    assert _as(Client(), world.anna).post("/en/acting/private/offers/settings/", {}).status_code == 404
    assert not CompanyOfferSetting.objects.exists()


def test_the_dashboard_teases_the_offers_of_each_context(client: Client, world: World) -> None:
    factories.offer(for_private=True, for_company=False, for_employees=False)
    html = _as(client, world.anna).get("/en/dashboard/").content.decode()
    assert "Tele2 Komplimenti: 1 offer for you" in html
    assert 'href="/en/acting/private/offers/"' in html


def test_an_offer_picture_is_served_as_the_servers_own_encoding_only_while_the_offer_is_shown(
    client: Client, world: World
) -> None:
    out = io.BytesIO()
    Image.new("RGB", (30, 10), (200, 0, 0)).save(out, format="PNG")
    shown = factories.offer()
    hidden = factories.offer(status="draft")
    for offer in (shown, hidden):
        cleaned = clean_image(out.getvalue())
        OfferImage.objects.create(
            offer=offer, content=cleaned.content, content_type=cleaned.content_type, width=30, height=10
        )
    client = _as(client, world.anna)
    response = client.get(f"/en/offers/{shown.pk}/image/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/en/offers/{hidden.pk}/image/").status_code == 404


def test_pages_speak_latvian_and_russian(client: Client, world: World) -> None:
    factories.offer(title_lv="Dāvana: 5 GB", title_ru="Подарок: 5 ГБ")
    client = _as(client, world.anna)
    assert "Dāvana: 5 GB" in client.get(f"/acting/private/connections/{world.anna_phone.pk}/").content.decode()
    assert "Подарок: 5 ГБ" in client.get(f"/ru/acting/private/connections/{world.anna_phone.pk}/").content.decode()
