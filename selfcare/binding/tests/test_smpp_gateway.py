"""The SMPP gateway against a local SMSC over a real socket: delivery, UCS2 text, refusals, no code in errors."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest

from selfcare.binding.gateways.smpp import SmppGateway
from selfcare.binding.models import SmsMessage, SmsStatus
from selfcare.binding.sms import SmsError, gateway, queue_sms
from selfcare.binding.tests.smsc import Smsc

CODE_TEXT = "Jūsu kods: 482915. Ваш код: 482915."


@pytest.fixture
def smsc(settings: Any) -> Iterator[Smsc]:
    with Smsc() as server:
        settings.SMS_BACKEND = "smpp"
        settings.SMS_SMPP_HOST, settings.SMS_SMPP_PORT = server.host, server.port
        settings.SMS_SMPP_SYSTEM_ID, settings.SMS_SMPP_PASSWORD = server.system_id, server.password
        settings.SMS_SMPP_SOURCE_ADDR, settings.SMS_SMPP_TIMEOUT = "Tele2", 5
        yield server


def test_a_latvian_message_reaches_the_smsc_intact_and_the_id_is_the_smscs(smsc: Smsc) -> None:
    sender = gateway()
    assert isinstance(sender, SmppGateway)
    message_id = sender.send("+37125100001", CODE_TEXT)
    assert message_id == "smsc-1"
    [submitted] = smsc.submitted
    assert (submitted.destination_addr, submitted.source_addr) == ("37125100001", "Tele2")
    assert (submitted.data_coding, submitted.text) == (8, CODE_TEXT)


def test_plain_ascii_is_sent_in_the_default_alphabet(smsc: Smsc) -> None:
    assert gateway().send("+37125100001", "Code 482915") == "smsc-1"
    assert (smsc.submitted[0].data_coding, smsc.submitted[0].text) == (0, "Code 482915")


def test_a_wrong_password_is_an_sms_error_without_the_text(smsc: Smsc, settings: Any) -> None:
    settings.SMS_SMPP_PASSWORD = "wrong"
    with pytest.raises(SmsError) as refused:
        gateway().send("+37125100001", CODE_TEXT)
    assert "Invalid Password" in str(refused.value)
    assert "482915" not in str(refused.value)
    assert smsc.submitted == []


def test_an_smsc_not_listening_is_an_sms_error_without_the_text(settings: Any) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    settings.SMS_BACKEND, settings.SMS_SMPP_HOST, settings.SMS_SMPP_PORT = "smpp", "127.0.0.1", port
    with pytest.raises(SmsError) as refused:
        gateway().send("+37125100001", CODE_TEXT)
    assert "connect" in str(refused.value)
    assert "482915" not in str(refused.value)


@pytest.mark.django_db
def test_a_queued_code_goes_to_the_smsc_after_commit_and_is_not_kept(
    smsc: Smsc, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        queued = queue_sms("+37125100001", CODE_TEXT)
    message = SmsMessage.objects.get(pk=queued.pk)
    assert (message.status, message.message_id, message.text) == (SmsStatus.SENT, "smsc-1", "")
    assert smsc.submitted[0].text == CODE_TEXT
