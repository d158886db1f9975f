"""The operator's SMSC over SMPP 3.4 (smpplib): one short transmitter session per message.

A session per message keeps the portal free of a long-lived connection to babysit (enquire_link, reconnects);
one-time codes are few, and `deliver` already retries. The message text holds a one-time code, so it never
reaches an error or a log: smpplib dumps whole PDUs at DEBUG, hence its logger is pinned at INFO.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

import smpplib.client
import smpplib.consts
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from selfcare.binding.sms import SmsError, SmsTimeout

PDU_LOGGER = "selfcare.binding.gateways.smpplib"
logging.getLogger(PDU_LOGGER).setLevel(logging.INFO)


def encode(text: str) -> tuple[list[bytes], int, int]:
    """The parts, data_coding and esm_class: ASCII in the SMSC default alphabet, anything else (Latvian, Russian)
    in UCS2; long texts are split with a concatenation header (UDHI)."""
    coding = smpplib.consts.SMPP_ENCODING_DEFAULT if text.isascii() else smpplib.consts.SMPP_ENCODING_ISO10646
    parts, coding, esm_class = smpplib.gsm.make_parts(text, encoding=coding)
    return list(parts), int(coding), int(esm_class)


def source_address(source: str) -> dict[str, Any]:
    """A sender name ("Tele2") is alphanumeric; a sender number is international E.164."""
    digits = source.lstrip("+")
    if digits.isdigit():
        return {"source_addr": digits, "source_addr_ton": smpplib.consts.SMPP_TON_INTL,
                "source_addr_npi": smpplib.consts.SMPP_NPI_ISDN}  # fmt: skip
    return {"source_addr": source, "source_addr_ton": smpplib.consts.SMPP_TON_ALNUM, "source_addr_npi": 0}


class SmppGateway:
    keeps_text: ClassVar[bool] = False

    def __init__(self) -> None:
        if not settings.SMS_SMPP_HOST:
            raise ImproperlyConfigured("SMS_BACKEND=smpp needs SMS_SMPP_HOST.")
        self.host, self.port = settings.SMS_SMPP_HOST, settings.SMS_SMPP_PORT

    def send(self, to: str, text: str) -> str:
        parts, coding, esm_class = encode(text)
        client = smpplib.client.Client(
            self.host, self.port, timeout=settings.SMS_SMPP_TIMEOUT, logger_name=PDU_LOGGER,
            allow_unknown_opt_params=True,
        )  # fmt: skip
        step = "connect"
        try:
            try:
                client.connect()
                step = "bind_transmitter"
                client.bind_transmitter(system_id=settings.SMS_SMPP_SYSTEM_ID, password=settings.SMS_SMPP_PASSWORD)
                step = "submit_sm"
                ids = [self.submit(client, to, part, coding, esm_class) for part in parts]
                unbind(client)
            finally:
                client.disconnect()
        except smpplib.exceptions.PDUError as error:
            status = error.args[1] if len(error.args) > 1 else None
            raise SmsError(f"SMSC {self.host}:{self.port} refused {step}: {describe(status)}") from None
        except (smpplib.exceptions.ConnectionError, OSError) as error:
            if isinstance(error, TimeoutError):
                raise SmsTimeout(f"SMSC {self.host}:{self.port}: {step} timed out") from None
            raise SmsError(f"SMSC {self.host}:{self.port}: {step} connection failed") from None
        return ",".join(ids)[:100] if len(ids) > 1 else ids[0]

    @staticmethod
    def submit(client: Any, to: str, part: bytes, coding: int, esm_class: int) -> str:
        """Send one submit_sm and wait for its submit_sm_resp, answering the SMSC's enquire_link meanwhile."""
        pdu = client.send_message(
            **source_address(settings.SMS_SMPP_SOURCE_ADDR),
            dest_addr_ton=smpplib.consts.SMPP_TON_INTL, dest_addr_npi=smpplib.consts.SMPP_NPI_ISDN,
            destination_addr=to.lstrip("+"), short_message=part, data_coding=coding, esm_class=esm_class,
        )  # fmt: skip
        while True:
            answer = client.read_pdu()
            if answer.is_error():
                raise smpplib.exceptions.PDUError(answer.command, int(answer.status))
            if answer.command == "enquire_link":
                client.send_pdu(smpplib.smpp.make_pdu("enquire_link_resp", client=client, sequence=answer.sequence))
            elif answer.command == "submit_sm_resp" and answer.sequence == pdu.sequence:
                message_id = answer.message_id
                return message_id.decode("ascii", "replace") if isinstance(message_id, bytes) else str(message_id)


def unbind(client: Any) -> None:
    """End the session politely; the message is already accepted, so a failure here must not cause a resend."""
    try:
        client.unbind()
    except (smpplib.exceptions.PDUError, smpplib.exceptions.ConnectionError, OSError):
        logging.getLogger(__name__).info("SMSC unbind failed after the message was accepted")


def describe(status: int | None) -> str:
    """The SMPP status as the spec names it (no PDU content: it could hold the code)."""
    if status is None:
        return "protocol error"
    return f"{smpplib.consts.DESCRIPTIONS.get(status, 'unknown status')} (0x{status:08x})"
