"""Binding a work number with a one-time code: the codes, the limits, the bindings and the audit trail."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.tests import factories as people
from selfcare.audit.models import AuditEvent
from selfcare.binding import otp
from selfcare.binding.models import (
    BindingStatus,
    ConnectionBinding,
    FailureLockoutCleared,
    OneTimeCode,
    SmsMessage,
    SmsStatus,
)
from selfcare.binding.services import binding_confirm, binding_start, clear_failure_lockout
from selfcare.customers.models import Connection, ConnectionStatus
from selfcare.customers.tests import factories
from selfcare.errors import ErrorCode
from selfcare.identity.models import DigitalIdentity
from selfcare.identity.services import SESSION_LOGIN_AT

pytestmark = pytest.mark.django_db

NUMBER = "+37125100001"
Capture = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


def request_of(identity: DigitalIdentity, *, logged_in_seconds_ago: float = 10) -> HttpRequest:
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.7")
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    request.session[SESSION_LOGIN_AT] = timezone.now().timestamp() - logged_in_seconds_ago
    request.user = identity.user
    return request


@pytest.fixture
def company_number() -> Connection:
    return factories.connection(account=factories.business_account(), msisdn=NUMBER)


@pytest.fixture
def liga() -> DigitalIdentity:
    return people.person("32579104511", "LĪGA", "LIEPA")


def start(capture: Capture, identity: DigitalIdentity, number: str = NUMBER, **request: Any) -> str | None:
    """Ask for a code as the person; the code from the SMS, if one was sent (after the commit)."""
    before = set(SmsMessage.objects.values_list("pk", flat=True))
    with capture(execute=True):
        binding_start(request=request_of(identity, **request), identity=identity, number_text=number)
    sent = SmsMessage.objects.exclude(pk__in=before).first()
    if sent is None:
        return None
    found = re.search(r"\b(\d{6})\b", sent.text)
    assert found is not None
    return found.group(1)


def confirm(identity: DigitalIdentity, code: str, **request: Any) -> ConnectionBinding:
    return binding_confirm(request=request_of(identity, **request), identity=identity, code_text=code)


def error_code(error: pytest.ExceptionInfo[ValidationError]) -> str | None:
    value = error.value
    if hasattr(value, "error_dict"):
        return str(next(iter(value.error_dict.values()))[0].code)
    return str(value.code)


def test_the_right_code_binds_the_number_to_the_person_and_both_steps_are_audited(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga, "+371 25 100 001")
    assert code is not None
    sms = SmsMessage.objects.get(to=NUMBER)
    assert sms.status == SmsStatus.SENT
    assert sms.attempts == 1
    # No page language is active here, so the SMS is in Latvian, the portal's default.
    assert sms.text == f"Jūsu Mans Tele2 kods ir {code}. Derīgs 10 min. Nevienam to neizpaudiet."
    binding = confirm(liga, code)
    assert (binding.connection, binding.identity, binding.status) == (company_number, liga, BindingStatus.ACTIVE)
    assert [c.kind for c in contexts_of(liga)] == [ContextKind.WORK]
    actions = list(AuditEvent.objects.filter(identity=liga).values_list("action", flat=True))
    assert {"binding:code:requested", "binding:bound"} <= set(actions)


def test_a_wrong_code_is_refused_with_a_clear_message_and_the_attempt_is_counted(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as refused:
        confirm(liga, wrong)
    assert error_code(refused) == ErrorCode.BINDING_CODE_WRONG
    assert OneTimeCode.objects.get().attempts == 1
    assert not ConnectionBinding.objects.exists()
    assert AuditEvent.objects.filter(action="binding:code:failed").count() == 1


def test_five_wrong_attempts_end_the_code_even_for_the_right_one_after_them(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    codes = []
    for _ in range(5):
        with pytest.raises(ValidationError) as refused:
            confirm(liga, wrong)
        codes.append(error_code(refused))
    assert codes == [ErrorCode.BINDING_CODE_WRONG] * 4 + [ErrorCode.BINDING_CODE_ENDED]
    # The sixth try, right or wrong, is told why: the code was entered wrongly too many times (not "expired").
    for sixth in (code, wrong):
        with pytest.raises(ValidationError) as refused:
            confirm(liga, sixth)
        assert error_code(refused) == ErrorCode.BINDING_CODE_ENDED
    assert not ConnectionBinding.objects.exists()
    assert OneTimeCode.objects.get().attempts == 5  # told, not counted again


def test_a_code_ended_by_wrong_attempts_is_expired_once_its_time_is_over_or_a_new_one_was_asked_for(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(ValidationError):
            confirm(liga, wrong)
    OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as refused:
        confirm(liga, wrong)
    assert error_code(refused) == ErrorCode.BINDING_CODE_EXPIRED


def test_an_expired_code_is_refused(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    OneTimeCode.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    with pytest.raises(ValidationError) as refused:
        confirm(liga, code)
    assert error_code(refused) == ErrorCode.BINDING_CODE_EXPIRED


def test_a_code_is_valid_for_ten_minutes(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    start(django_capture_on_commit_callbacks, liga)
    row = OneTimeCode.objects.get()
    assert row.expires_at - row.created_at == datetime.timedelta(minutes=10)


def test_a_used_code_cannot_be_used_again(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    confirm(liga, code)
    with pytest.raises(ValidationError) as refused:
        confirm(liga, code)
    assert error_code(refused) == ErrorCode.BINDING_CODE_EXPIRED


def test_codes_are_stored_only_as_a_keyed_hash(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    row = OneTimeCode.objects.values().get()
    assert not any(code in str(value) for value in row.values())
    assert row["code_hash"] == otp.code_hash(identity_id=liga.pk, msisdn=NUMBER, code=code)
    assert not any(code in str(value) for value in AuditEvent.objects.values_list("object_id", "action"))


def test_a_code_is_bound_to_the_person_who_asked_for_it(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    other = people.person("16117519997")
    with pytest.raises(ValidationError) as refused:
        confirm(other, code)
    assert error_code(refused) == ErrorCode.BINDING_CODE_EXPIRED


def test_a_person_can_ask_for_five_codes_in_five_minutes_and_no_more(
    django_capture_on_commit_callbacks: Capture, liga: DigitalIdentity
) -> None:
    for i in range(5):  # five numbers: one number alone meets the smaller per-number cap first
        start(django_capture_on_commit_callbacks, liga, f"+3712699999{i}")
    with pytest.raises(ValidationError) as refused:
        start(django_capture_on_commit_callbacks, liga, "+37126999999")
    assert error_code(refused) == ErrorCode.BINDING_TOO_MANY_REQUESTS


@pytest.mark.parametrize(
    ("count", "ago", "limited"), [(19, 50, False), (20, 50, True), (49, 600, False), (50, 600, True)]
)
def test_twenty_codes_an_hour_and_fifty_a_day_are_the_limits(
    django_capture_on_commit_callbacks: Capture, liga: DigitalIdentity, count: int, ago: int, limited: bool
) -> None:
    earlier = timezone.now() - datetime.timedelta(minutes=ago)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=earlier, expires_at=earlier)
        for _ in range(count)
    )
    if limited:
        with pytest.raises(ValidationError) as refused:
            start(django_capture_on_commit_callbacks, liga, "+37126999999")
        assert error_code(refused) == ErrorCode.BINDING_TOO_MANY_REQUESTS
    else:
        start(django_capture_on_commit_callbacks, liga, "+37126999999")


def test_a_number_gets_at_most_the_daily_cap_of_codes_and_then_silently_none(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, settings: Any
) -> None:
    settings.OTP_MAX_PER_NUMBER_PER_DAY = 5
    codes = [f"3200000000{i}" for i in range(6)]  # new-format personal codes have no checksum
    sent = [start(django_capture_on_commit_callbacks, people.person(code)) for code in codes]
    assert all(code is not None for code in sent[:5])
    assert sent[5] is None
    assert SmsMessage.objects.filter(to=NUMBER).count() == 5


def test_one_person_cannot_spend_a_numbers_codes_and_lock_its_user_out(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity, settings: Any
) -> None:
    settings.OTP_MAX_PER_NUMBER_PER_DAY, settings.OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY = 5, 3
    intruder = people.person("32000000009", "IVARS", "ZAGLIS")
    sent = [start(django_capture_on_commit_callbacks, intruder) for _ in range(3)]
    assert all(code is not None for code in sent)
    with pytest.raises(ValidationError) as refused:
        start(django_capture_on_commit_callbacks, intruder)
    assert error_code(refused) == ErrorCode.BINDING_TOO_MANY_FOR_NUMBER
    assert SmsMessage.objects.filter(to=NUMBER).count() == 3
    # The rightful employee, minutes later, still gets a code and binds the number.
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    assert confirm(liga, code).identity == liga


def test_a_persons_cap_for_one_number_answers_the_same_for_a_number_that_is_not_ours(
    django_capture_on_commit_callbacks: Capture, liga: DigitalIdentity, settings: Any
) -> None:
    settings.OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY = 3
    for _ in range(3):
        assert start(django_capture_on_commit_callbacks, liga, "+37126999999") is None
    with pytest.raises(ValidationError) as refused:
        start(django_capture_on_commit_callbacks, liga, "+37126999999")
    assert error_code(refused) == ErrorCode.BINDING_TOO_MANY_FOR_NUMBER
    start(django_capture_on_commit_callbacks, liga, "+37126999998")  # another number is another count


def test_a_persons_cap_for_one_number_is_over_after_a_day(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity, settings: Any
) -> None:
    settings.OTP_MAX_PER_PERSON_AND_NUMBER_PER_DAY = 3
    earlier = timezone.now() - datetime.timedelta(hours=24, minutes=1)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=earlier, expires_at=earlier)
        for _ in range(3)
    )
    assert start(django_capture_on_commit_callbacks, liga) is not None


@pytest.mark.parametrize("field", ["sim_changed_at", "ported_in_at"])
def test_no_code_goes_to_a_number_after_a_recent_sim_change_or_port_in(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity, field: str
) -> None:
    Connection.objects.filter(pk=company_number.pk).update(**{field: timezone.now() - datetime.timedelta(days=6)})
    assert start(django_capture_on_commit_callbacks, liga) is None
    Connection.objects.filter(pk=company_number.pk).update(**{field: timezone.now() - datetime.timedelta(days=8)})
    assert start(django_capture_on_commit_callbacks, liga) is not None


@pytest.mark.parametrize("case", ["not ours", "suspended", "terminated", "private account", "landline"])
def test_a_number_that_cannot_be_bound_gets_the_same_answer_and_no_sms(
    django_capture_on_commit_callbacks: Capture, liga: DigitalIdentity, case: str
) -> None:
    number = NUMBER
    if case == "suspended":
        factories.connection(msisdn=NUMBER, status=ConnectionStatus.SUSPENDED)
    elif case == "terminated":
        factories.connection(msisdn=NUMBER, status=ConnectionStatus.TERMINATED, terminated_on=datetime.date(2025, 1, 1))
    elif case == "private account":
        factories.connection(msisdn=NUMBER, account=factories.private_account())
    elif case == "landline":
        number = "+37167012345"
    assert start(django_capture_on_commit_callbacks, liga, number) is None  # no exception: the same answer
    assert not SmsMessage.objects.exists()
    assert OneTimeCode.objects.get().connection is None  # still counted against the person's limits
    with pytest.raises(ValidationError) as refused:
        confirm(liga, "123456")
    assert error_code(refused) in {ErrorCode.BINDING_CODE_WRONG, ErrorCode.BINDING_CODE_EXPIRED}


def test_an_invalid_number_is_a_field_error() -> None:
    liga = people.person("32579104511")
    with pytest.raises(ValidationError) as refused:
        binding_start(request=request_of(liga), identity=liga, number_text="12")
    assert "number" in refused.value.error_dict
    assert error_code(refused) == ErrorCode.PHONE_NUMBER_INVALID


def test_a_number_bound_by_another_person_is_rebound_and_the_old_binding_ends(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    previous = people.binding(company_number, people.person("22079018761"))
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    confirm(liga, code)
    previous.refresh_from_db()
    assert (previous.status, previous.ended_reason) == (BindingStatus.ENDED, "replaced")
    assert previous.ended_at is not None
    assert ConnectionBinding.objects.get(status=BindingStatus.ACTIVE).identity == liga
    assert AuditEvent.objects.filter(action="binding:replaced", object_id=str(previous.pk)).exists()


def test_adding_another_number_needs_a_fresh_login(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    people.binding(factories.connection(account=company_number.account), liga)
    with pytest.raises(ValidationError) as refused:
        start(django_capture_on_commit_callbacks, liga, logged_in_seconds_ago=301)
    assert error_code(refused) == ErrorCode.BINDING_FRESH_LOGIN
    assert not OneTimeCode.objects.exists()
    assert start(django_capture_on_commit_callbacks, liga, logged_in_seconds_ago=60) is not None


def test_a_hundred_consecutive_failures_block_new_codes_and_checks(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    earlier = timezone.now() - datetime.timedelta(days=3)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=earlier, expires_at=earlier, attempts=5)
        for _ in range(20)
    )
    with pytest.raises(ValidationError) as refused:
        start(django_capture_on_commit_callbacks, liga)
    assert error_code(refused) == ErrorCode.BINDING_LOCKED
    with pytest.raises(ValidationError) as refused:
        confirm(liga, "123456")
    assert error_code(refused) == ErrorCode.BINDING_LOCKED


def test_a_success_resets_the_count_of_consecutive_failures(liga: DigitalIdentity) -> None:
    earlier = timezone.now() - datetime.timedelta(days=3)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=earlier, expires_at=earlier, attempts=5)
        for _ in range(20)
    )
    later = earlier + datetime.timedelta(hours=1)
    OneTimeCode.objects.create(
        identity=liga, msisdn=NUMBER, code_hash="x", created_at=later, expires_at=later, used_at=later
    )
    assert otp.consecutive_failures(liga) == 0


def test_customer_service_clears_a_lockout_and_the_person_can_bind_again_audited_with_who_cleared_it(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    earlier = timezone.now() - datetime.timedelta(days=3)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=earlier, expires_at=earlier, attempts=5)
        for _ in range(20)
    )
    assert otp.too_many_failures(liga)
    agent = User.objects.create_user("agent", is_staff=True)
    cleared = clear_failure_lockout(request=request_of(liga), identity=liga, staff=agent)
    assert (cleared.cleared_by, cleared.failures) == (agent, 100)
    assert otp.consecutive_failures(liga) == 0
    event = AuditEvent.objects.get(action="binding:lockout:cleared")
    assert (event.identity, event.object_id) == (liga, str(cleared.pk))
    code = start(django_capture_on_commit_callbacks, liga)
    assert code is not None
    assert confirm(liga, code).connection == company_number


def test_clearing_a_lockout_that_is_not_there_is_refused_and_leaves_no_record(liga: DigitalIdentity) -> None:
    agent = User.objects.create_user("agent", is_staff=True)
    with pytest.raises(ValidationError):
        clear_failure_lockout(request=request_of(liga), identity=liga, staff=agent)
    assert not FailureLockoutCleared.objects.exists()
    assert not AuditEvent.objects.filter(action="binding:lockout:cleared").exists()


def test_after_a_clearing_a_hundred_new_failures_lock_again(liga: DigitalIdentity) -> None:
    earlier = timezone.now() - datetime.timedelta(days=3)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=earlier, expires_at=earlier, attempts=5)
        for _ in range(20)
    )
    clear_failure_lockout(request=request_of(liga), identity=liga, staff=User.objects.create_user("agent"))
    later = timezone.now() + datetime.timedelta(seconds=1)
    OneTimeCode.objects.bulk_create(
        OneTimeCode(identity=liga, msisdn=NUMBER, code_hash="x", created_at=later, expires_at=later, attempts=5)
        for _ in range(20)
    )
    assert otp.too_many_failures(liga)


def test_the_sms_is_sent_after_the_commit_and_not_when_the_transaction_rolls_back(
    django_capture_on_commit_callbacks: Capture, company_number: Connection, liga: DigitalIdentity
) -> None:
    def start_then_fail() -> None:
        with transaction.atomic():
            binding_start(request=request_of(liga), identity=liga, number_text=NUMBER)
            assert SmsMessage.objects.get().status == SmsStatus.QUEUED  # written, not yet sent
            raise RuntimeError("something later in the same transaction failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        start_then_fail()
    assert callbacks == []
    assert not SmsMessage.objects.exists()
    assert not OneTimeCode.objects.exists()
