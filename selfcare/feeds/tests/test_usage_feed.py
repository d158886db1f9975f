"""The usage feed API: keys, batches, per-event rejects, replays."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from selfcare.access.tests import factories as people
from selfcare.customers.tests import factories
from selfcare.usage.feedkeys import feed_key_create, feed_key_revoke
from selfcare.usage.models import FeedKey, UsageEvent
from selfcare.usage.services import remaining_summary

pytestmark = pytest.mark.django_db
URL = "/feeds/v1/usage-events"


def _event(msisdn: str, key: str, quantity: Any = 1000) -> dict[str, Any]:
    return {
        "event_id": key,
        "msisdn": msisdn,
        "type": "data",
        "zone": "domestic",
        "started_at": timezone.now().isoformat(),
        "quantity": quantity,
    }


def _post(client: Client, key: str | None, body: object) -> Any:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return client.post(URL, body, content_type="application/json", headers=headers)


@pytest.fixture
def key() -> str:
    return feed_key_create(name="mediation")[1]


def test_a_batch_is_recorded_and_bad_events_are_reported_by_index(client: Client, key: str) -> None:
    connection = factories.connection()
    body = {
        "events": [
            _event(connection.msisdn, "a"),
            _event(connection.msisdn, "b", quantity=-5),
            {"event_id": "c", "msisdn": connection.msisdn},
            _event(connection.msisdn, "d"),
        ]
    }
    response = _post(client, key, body)
    assert response.status_code == 200
    data = response.json()
    assert (data["received"], data["recorded"], data["duplicates"]) == (4, 2, 0)
    assert [(r["index"], r["event_id"], r["code"]) for r in data["rejected"]] == [
        (1, "b", "usage_quantity"),
        (2, "c", "usage_row_shape"),
    ]
    assert remaining_summary(connection).data.used == 2000


def test_a_replayed_batch_changes_nothing(client: Client, key: str) -> None:
    connection = factories.connection()
    body = {"events": [_event(connection.msisdn, "x"), _event(connection.msisdn, "y")]}
    assert _post(client, key, body).json()["recorded"] == 2
    again = _post(client, key, body).json()
    assert (again["recorded"], again["duplicates"]) == (0, 2)
    assert UsageEvent.objects.count() == 2
    assert remaining_summary(connection).data.used == 2000


@pytest.mark.parametrize("presented", [None, "uf_not-a-real-key", "Basic abc"])
def test_without_a_valid_key_nothing_is_recorded(client: Client, presented: str | None) -> None:
    connection = factories.connection()
    response = _post(client, presented, {"events": [_event(connection.msisdn, "z")]})
    assert response.status_code == 401
    assert response.json()["errors"][0]["code"] == "feed_key_invalid"
    assert UsageEvent.objects.count() == 0


def test_a_revoked_key_stops_working_at_once(client: Client, key: str) -> None:
    connection = factories.connection()
    feed_key_revoke(FeedKey.objects.get(name="mediation"))
    assert _post(client, key, {"events": [_event(connection.msisdn, "r")]}).status_code == 401


def test_a_body_of_the_wrong_shape_is_refused_whole(client: Client, key: str) -> None:
    response = _post(client, key, {"rows": []})
    assert response.status_code == 422
    assert response.json()["errors"]


def test_a_batch_over_the_limit_is_refused(client: Client, key: str, settings: Any) -> None:
    settings.USAGE_FEED_MAX_EVENTS = 2
    connection = factories.connection()
    events = [_event(connection.msisdn, str(n)) for n in range(3)]
    response = _post(client, key, {"events": events})
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["code"] == "feed_batch_too_large"
    assert error["message"].endswith(" 2.")  # the limit, in the message of the default language
    assert UsageEvent.objects.count() == 0


def test_administrators_list_feed_keys_and_revoke_them_but_never_see_a_key(client: Client, key: str) -> None:
    people.staff_client(client, "administrator")
    record = FeedKey.objects.get(name="mediation")
    page = client.get("/backoffice/usage/feedkey/")
    assert page.status_code == 200
    assert "mediation" in page.content.decode()
    assert record.key_hash not in page.content.decode()
    response = client.post(
        "/backoffice/usage/feedkey/", {"action": "revoke", "_selected_action": [record.pk]}, follow=True
    )
    assert response.status_code == 200
    record.refresh_from_db()
    assert record.revoked_at is not None


def test_administrators_create_a_feed_key_in_the_back_office_that_is_shown_once_and_works(client: Client) -> None:
    people.staff_client(client, "administrator")
    page = client.post("/backoffice/usage/feedkey/add/", {"name": "mediation-2"})
    assert page.status_code == 200
    key = page.context["key"]
    assert key.startswith("uf_")
    assert "no-store" in page["Cache-Control"]
    record = FeedKey.objects.get(name="mediation-2")
    assert key not in client.get(f"/backoffice/usage/feedkey/{record.pk}/change/").content.decode()
    connection = factories.connection()
    assert _post(Client(), key, {"events": [_event(connection.msisdn, "from-back-office")]}).status_code == 200
    customer_service = people.staff_client(Client(), "customer_service", code="32000000002")
    assert customer_service.post("/backoffice/usage/feedkey/add/", {"name": "x"}).status_code == 403
    assert not FeedKey.objects.filter(name="x").exists()


def test_a_machine_posts_without_a_csrf_token_because_it_has_no_cookies(key: str) -> None:
    connection = factories.connection()
    client = Client(enforce_csrf_checks=True)
    response = _post(client, key, {"events": [_event(connection.msisdn, "csrf")]})
    assert response.status_code == 200
    assert response.json()["recorded"] == 1


def _is_error_shape(response: Any) -> bool:
    body = response.json()
    return set(body) == {"errors"} and all(
        set(e) == {"code", "message", "field"} and e["message"] for e in body["errors"]
    )


@pytest.mark.parametrize("body", [b"\xff\xfe{\x00", b"not json", b'{"events": [1, 2'])
def test_a_body_that_is_not_json_in_utf8_gets_the_feeds_error_shape(client: Client, key: str, body: bytes) -> None:
    response = _post(client, key, body)
    assert response.status_code == 400
    assert _is_error_shape(response)
    assert response.json()["errors"][0]["code"] == "feed_body_unreadable"
    assert "Cannot parse" not in response.content.decode()


@pytest.mark.parametrize(
    ("body", "field"), [({"rows": []}, "events"), ({"events": "x"}, "events"), ({"events": [{}, 3]}, "events.1")]
)
def test_a_body_that_is_not_a_batch_names_the_wrong_field_in_the_error_shape(
    client: Client, key: str, body: object, field: str
) -> None:
    response = _post(client, key, body)
    assert response.status_code == 422
    assert _is_error_shape(response)
    assert [(e["code"], e["field"]) for e in response.json()["errors"]] == [("invalid_body", field)]


def test_another_method_than_post_gets_405_in_the_error_shape(client: Client, key: str) -> None:
    response = client.get(URL, headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert _is_error_shape(response)


def test_an_event_id_with_a_nul_is_rejected_for_that_reason(client: Client, key: str) -> None:
    connection = factories.connection()
    response = _post(client, key, {"events": [_event(connection.msisdn, "a\x00b"), _event(connection.msisdn, "")]})
    assert response.status_code == 200
    assert [r["code"] for r in response.json()["rejected"]] == ["usage_source_key_characters", "usage_source_key"]
    assert "NUL" in response.json()["rejected"][0]["message"]
    assert UsageEvent.objects.count() == 0


def test_the_openapi_document_lists_every_error_answer_with_the_error_shape(client: Client) -> None:
    document = client.get("/feeds/v1/openapi.json").json()
    answers = document["paths"]["/feeds/v1/usage-events"]["post"]["responses"]
    for status in ("400", "401", "413", "422"):
        assert answers[status]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Errors"
    assert list(document["paths"]["/feeds/v1/usage-events"]) == ["post"]
