"""The app API's usage, offers and powers-of-attorney resources: the same answers as the pages, through
selfcare.access — the rightful person, a wrong one (404), a token without the scope (403), no token (401)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from selfcare.channels.tests.test_api import World, codes, get, post, token_for
from selfcare.channels.tests.test_api import world as world  # the fixture, shared
from selfcare.customers.models import GB
from selfcare.mandates.models import Mandate
from selfcare.offers.models import CodePool, OfferClaim, OfferKind, PartnerCode, PoolSource
from selfcare.offers.tests import factories as offer_factories
from selfcare.usage.services import grant_bonus

pytestmark = pytest.mark.django_db


def usage_path(context: str, connection_id: int) -> str:
    return f"/api/v1/contexts/{context}/connections/{connection_id}/usage-consumption"


def claim(token: str, context: str, connection_id: int, offer_id: int, key: str) -> Any:
    return Client().post(
        f"/api/v1/contexts/{context}/connections/{connection_id}/offer-claims",
        json.dumps({"offer": offer_id}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
    )


# --- Usage and remaining data -------------------------------------------------------------------------------------


def test_main_user_reads_what_is_left_on_a_company_connection_with_its_buckets_and_gifts(world: World) -> None:
    grant_bonus(world.a1, unit="byte", amount=5 * GB, label="Tele2 Komplimenti: 5 GB", source_key="test-gift")
    response = get(usage_path(f"company-{world.company_a.pk}", world.a1.pk), token_for(world.anna))
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["href"].endswith(f"/connections/{world.a1.pk}/usage-consumption")
    assert body["asOf"]
    assert body["billingCycle"]["startDateTime"] < body["billingCycle"]["endDateTime"]
    gift = body["gifts"][0]
    assert gift["@type"] == "Bucket"
    assert gift["remainingValue"] == {"amount": 5 * GB, "units": "byte"}
    assert gift["remainingValueName"] == "5 GB"
    assert gift["validFor"]["endDateTime"] is not None
    assert {b["usageType"] for b in body["bucket"]} >= {"data", "voice", "sms"}
    assert body["summary"]["data"]["units"] == "byte"
    assert body["dailyUsage"]
    assert body["dailyUsage"][0]["home"] == 0


def test_an_unlimited_allowance_is_named_unlimited_and_has_no_remaining_value(world: World) -> None:
    plan = world.private.tariff_plan
    plan.data_bytes = None
    plan.fair_use_bytes = 100 * GB
    plan.save()
    body = json.loads(get(usage_path("private", world.private.pk), token_for(world.anna)).content)
    data = next(b for b in body["bucket"] if b["usageType"] == "data" and b["zone"] == "domestic")
    assert data["remainingValue"] is None
    assert data["remainingValueName"] == "Unlimited"
    assert data["fairUseCap"] == {"amount": 100 * GB, "units": "byte"}


def test_employee_reads_usage_of_the_bound_number_but_not_of_a_colleagues(world: World) -> None:
    token = token_for(world.peteris)
    context = f"work-{world.company_a.pk}"
    assert get(usage_path(context, world.a1.pk), token).status_code == 200
    refused = get(usage_path(context, world.a2.pk), token)
    assert refused.status_code == 404
    assert codes(refused) == ["not_found"]


def test_usage_of_another_companys_connection_is_the_same_404_as_a_missing_one(world: World) -> None:
    token = token_for(world.anna)
    assert get(usage_path(f"company-{world.company_a.pk}", world.b1.pk), token).status_code == 404
    assert get(usage_path(f"company-{world.company_b.pk}", world.b1.pk), token).status_code == 404
    assert get(usage_path(f"company-{world.company_a.pk}", 999_999), token).status_code == 404


def test_usage_needs_the_usage_scope_and_a_token(world: World) -> None:
    path = usage_path("private", world.private.pk)
    without = get(path, token_for(world.anna, "openid profile connections"))
    assert without.status_code == 403
    assert codes(without) == ["insufficient_scope"]
    assert get(path, None).status_code == 401


# --- Offers and claims --------------------------------------------------------------------------------------------


def test_offers_of_a_connection_say_whether_each_can_be_claimed_and_why_not(world: World) -> None:
    open_offer = offer_factories.offer()
    tenure = offer_factories.offer(min_tenure_days=100_000)
    response = get(f"/api/v1/contexts/private/connections/{world.private.pk}/offers", token_for(world.anna))
    assert response.status_code == 200, response.content
    by_id = {o["id"]: o for o in json.loads(response.content)}
    assert by_id[str(open_offer.pk)]["claimable"] is True
    assert by_id[str(tenure.pk)]["claimable"] is False
    assert [r["code"] for r in by_id[str(tenure.pk)]["reasons"]] == ["tenure"]


def test_claiming_twice_with_the_same_key_is_one_claim_and_the_data_is_added(world: World) -> None:
    gift = offer_factories.offer()
    token = token_for(world.anna)
    first = claim(token, "private", world.private.pk, gift.pk, "key-1")
    assert first.status_code == 201, first.content
    again = claim(token, "private", world.private.pk, gift.pk, "key-1")
    assert again.status_code == 200
    assert json.loads(again.content)["id"] == json.loads(first.content)["id"]
    assert OfferClaim.objects.filter(identity=world.anna).count() == 1
    usage = json.loads(get(usage_path("private", world.private.pk), token).content)
    assert usage["gifts"][0]["remainingValue"]["amount"] == 5 * GB


def test_a_claim_without_an_idempotency_key_is_refused_as_invalid_input(world: World) -> None:
    gift = offer_factories.offer()
    response = post(
        f"/api/v1/contexts/private/connections/{world.private.pk}/offer-claims",
        token_for(world.anna),
        {"offer": gift.pk},
    )
    assert response.status_code == 422
    assert codes(response) == ["invalid_input"]


def test_a_key_in_the_body_serves_as_well_as_the_header(world: World) -> None:
    gift = offer_factories.offer()
    path = f"/api/v1/contexts/private/connections/{world.private.pk}/offer-claims"
    response = post(path, token_for(world.anna), {"offer": gift.pk, "idempotencyKey": "body-key"})
    assert response.status_code == 201
    assert OfferClaim.objects.get(identity=world.anna).idempotency_key == "body-key"


def test_an_offer_that_cannot_be_claimed_answers_409_with_its_reasons(world: World) -> None:
    tenure = offer_factories.offer(min_tenure_days=100_000)
    response = claim(token_for(world.anna), "private", world.private.pk, tenure.pk, "k")
    assert response.status_code == 409
    assert codes(response) == ["offer_not_claimable", "tenure"]


def test_claiming_on_someone_elses_connection_is_404_and_claims_nothing(world: World) -> None:
    gift = offer_factories.offer()
    token = token_for(world.peteris)
    response = claim(token, f"work-{world.company_a.pk}", world.a2.pk, gift.pk, "k")
    assert response.status_code == 404
    assert get(f"/api/v1/contexts/private/connections/{world.private.pk}/offers", token).status_code == 404
    assert not OfferClaim.objects.exists()


def test_the_persons_claims_show_the_partner_code_again(world: World) -> None:
    partner = offer_factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None, partner="Kino")
    pool = CodePool.objects.create(offer=partner, name="test", source=PoolSource.UPLOADED)
    PartnerCode.objects.create(pool=pool, offer=partner, code="KINO-123")
    token = token_for(world.anna)
    assert claim(token, "private", world.private.pk, partner.pk, "k").status_code == 201
    mine = json.loads(get("/api/v1/offer-claims", token).content)
    assert [c["partnerCode"] for c in mine] == ["KINO-123"]
    one = get(mine[0]["href"], token)
    assert json.loads(one.content)["partnerCode"] == "KINO-123"
    assert get(mine[0]["href"], token_for(world.peteris)).status_code == 404


def test_offers_need_the_offers_scope_and_a_token(world: World) -> None:
    path = f"/api/v1/contexts/private/connections/{world.private.pk}/offers"
    assert get(path, token_for(world.anna, "openid usage")).status_code == 403
    assert get(path, None).status_code == 401
    assert get("/api/v1/offer-claims", None).status_code == 401


# --- Powers of attorney -------------------------------------------------------------------------------------------


def test_main_user_lists_the_companys_mandates_with_status_validity_and_history(world: World) -> None:
    token = token_for(world.anna)
    response = get(f"/api/v1/contexts/company-{world.company_a.pk}/mandates", token)
    assert response.status_code == 200, response.content
    rows = json.loads(response.content)
    assert response["X-Total-Count"] == "1"
    assert rows[0]["status"] == "active"
    assert rows[0]["validFor"]["startDate"]
    detail = json.loads(get(rows[0]["href"], token).content)
    assert detail["history"] == [] or "action" in detail["history"][0]


def test_mandates_of_another_company_or_for_an_employee_are_404(world: World) -> None:
    other = Mandate.objects.get(company=world.company_b)
    anna = token_for(world.anna)
    assert get(f"/api/v1/contexts/company-{world.company_a.pk}/mandates/{other.pk}", anna).status_code == 404
    assert get(f"/api/v1/contexts/company-{world.company_b.pk}/mandates", anna).status_code == 404
    peteris = token_for(world.peteris)
    assert get(f"/api/v1/contexts/work-{world.company_a.pk}/mandates", peteris).status_code == 404


def test_mandates_need_the_mandates_scope_and_a_token(world: World) -> None:
    path = f"/api/v1/contexts/company-{world.company_a.pk}/mandates"
    assert get(path, token_for(world.anna, "openid profile")).status_code == 403
    assert get(path, None).status_code == 401


def test_the_openapi_document_says_mandates_are_read_only_and_revoked_in_the_portal() -> None:
    document = json.loads(Client().get("/api/openapi.json").content)
    operation = document["paths"]["/api/v1/contexts/{context}/mandates"]["get"]
    assert "eID" in operation["description"]


# --- Rate limit per token -----------------------------------------------------------------------------------------


def test_calls_past_the_tokens_limit_get_429_with_retry_after_in_the_api_error_shape(
    world: World, settings: Any
) -> None:
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"api-token": (2, 60)}
    token = token_for(world.anna)
    assert get("/api/v1/me", token).status_code == 200
    assert get(usage_path("private", world.private.pk), token).status_code == 200
    refused = get(usage_path("private", world.private.pk), token)
    assert refused.status_code == 429
    assert codes(refused) == ["rate_limited"]
    assert 0 < int(refused["Retry-After"]) <= 60
    assert get("/api/v1/me", token_for(world.peteris)).status_code == 200  # another token has its own count
