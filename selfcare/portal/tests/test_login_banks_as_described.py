"""The bank answers as the public descriptions of each protocol write them, built here field by field.

Independent of the profiles' defaults (which the simulator follows): the literal field lists, XML and name order
below are what the descriptions say (PROTOCOLS.md §3, valdis/SacPS), signed with the simulated bank's test key.
If a profile default drifts from them, these tests fail.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from lxml import etree

from selfcare.errors import ErrorCode, message
from selfcare.identity.methods.banklink import citadele, signed_form
from selfcare.identity.methods.banklink.profiles import bank_profile
from selfcare.identity.models import AuthenticationRecord, AuthResult, DigitalIdentity
from selfcare.simulators.banks import responses

pytestmark = pytest.mark.django_db

RIGA = signed_form.BANK_TIME_ZONE


def _start(client: Client, bank: str) -> tuple[str, str]:
    """Start a login; the nonce and the ``xmldata`` / form the portal posts to the bank."""
    response = client.post(f"/en/login/{bank}/")
    assert response.status_code == 200
    return str(client.session["banklink.pending"]["nonce"]), response.content.decode()


def _form(fields: dict[str, str], names: list[str], bank: str) -> dict[str, str]:
    signature_field = "IB_CRC" if bank == "seb" else "VK_MAC"
    key = responses.bank_certificate(bank).private_key
    return {**fields, signature_field: signed_form.sign(fields, names, key, "SHA-256")}


def _text(code: ErrorCode) -> str:
    with translation.override("en"):
        return message(code)


# -- Luminor: the 2001 answer signs VK_T_NO --------------------------------------------------------------------------

LUMINOR_2001 = [
    "VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_STAMP", "VK_T_NO",
    "VK_PER_CODE", "VK_PER_FNAME", "VK_PER_LNAME", "VK_COM_CODE", "VK_COM_NAME", "VK_TIME",
]  # fmt: skip


def test_a_luminor_2001_answer_signed_over_vk_t_no_logs_the_person_in(client: Client) -> None:
    nonce, _ = _start(client, "luminor")
    fields = {
        "VK_SERVICE": "2001", "VK_VERSION": "101", "VK_SND_ID": "LUMINOR_LV", "VK_REC_ID": "TELE2SELFCARE",
        "VK_STAMP": nonce, "VK_T_NO": "548123", "VK_PER_CODE": "15038512346", "VK_PER_FNAME": "ANNA",
        "VK_PER_LNAME": "BĒRZIŅA", "VK_COM_CODE": "", "VK_COM_NAME": "",
        "VK_TIME": dt.datetime.now(RIGA).strftime("%Y%m%d%H%M%S"),
    }  # fmt: skip
    response = client.post("/en/login/luminor/answer/", _form(fields, LUMINOR_2001, "luminor"))
    assert response["Location"] == "/en/dashboard/"
    identity = DigitalIdentity.objects.get()
    assert identity.given_name == "ANNA"


# -- SEB: the historic 0001 answer echoes no nonce --------------------------------------------------------------------

SEB_0001 = ["IB_SND_ID", "IB_SERVICE", "IB_REC_ID", "IB_USER", "IB_DATE", "IB_TIME", "IB_USER_INFO", "IB_VERSION"]


def _seb_0001(moment: dt.datetime) -> dict[str, str]:
    fields = {
        "IB_SND_ID": "SEB_LV", "IB_SERVICE": "0001", "IB_REC_ID": "TELE2SELFCARE", "IB_USER": "15038512346",
        "IB_DATE": moment.strftime("%d.%m.%Y"), "IB_TIME": moment.strftime("%H:%M:%S"),
        "IB_USER_INFO": "ID=150385-12346;NAME=ANNA BĒRZIŅA", "IB_VERSION": "001",
    }  # fmt: skip
    return _form(fields, SEB_0001, "seb")


def test_an_seb_0001_answer_without_a_nonce_logs_in_the_browser_that_started(client: Client) -> None:
    _start(client, "seb")
    response = client.post("/en/login/seb/answer/", _seb_0001(dt.datetime.now(RIGA)))
    assert response["Location"] == "/en/dashboard/"


def test_an_seb_0001_answer_in_a_browser_that_started_nothing_is_refused(client: Client) -> None:
    response = client.post("/en/login/seb/answer/", _seb_0001(dt.datetime.now(RIGA)))
    assert response["Location"] == "/en/login/"
    assert AuthenticationRecord.objects.get().reason == "no_pending_login"


# -- Cancel answers: signed with their own field lists ----------------------------------------------------------------

CANCELS = {
    "swedbank": (
        ["VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_NONCE"],
        {"VK_SERVICE": "3002", "VK_VERSION": "008", "VK_SND_ID": "SWEDBANK_LV", "VK_REC_ID": "TELE2SELFCARE"},
        "VK_NONCE",
    ),
    "seb": (
        ["IB_SND_ID", "IB_SERVICE", "IB_REC_ID", "IB_DATE", "IB_TIME", "IB_VERSION"],
        {"IB_SND_ID": "SEB_LV", "IB_SERVICE": "0002", "IB_REC_ID": "TELE2SELFCARE", "IB_VERSION": "001"},
        "",
    ),
    "luminor": (
        ["VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_STAMP", "VK_TIME"],
        {"VK_SERVICE": "2002", "VK_VERSION": "101", "VK_SND_ID": "LUMINOR_LV", "VK_REC_ID": "TELE2SELFCARE"},
        "VK_STAMP",
    ),
}


@pytest.mark.parametrize("bank", list(CANCELS))
def test_a_cancel_answer_signed_with_its_own_field_list_says_cancelled(client: Client, bank: str) -> None:
    names, fields, nonce_field = CANCELS[bank]
    nonce, _ = _start(client, bank)
    now = dt.datetime.now(RIGA)
    fields = {**fields, "IB_DATE": now.strftime("%d.%m.%Y"), "IB_TIME": now.strftime("%H:%M:%S")}
    fields |= {"VK_TIME": now.strftime("%Y%m%d%H%M%S")} | ({nonce_field: nonce} if nonce_field else {})
    signed = _form({name: fields.get(name, "") for name in names}, names, bank)
    page = client.post(f"/en/login/{bank}/answer/", signed, follow=True).content.decode()
    assert _text(ErrorCode.EID_CANCELLED_AT_BANK) in page
    assert _text(ErrorCode.EID_REFUSED) not in page
    record = AuthenticationRecord.objects.get()
    assert (record.result, record.reason) == (AuthResult.CANCELLED, "cancelled_at_bank")


def test_a_cancel_answer_signed_with_the_ok_list_is_not_believed(client: Client) -> None:
    names, fields, _ = CANCELS["swedbank"]
    nonce, _ = _start(client, "swedbank")
    ok_list = [*names, "VK_INFO"]
    signed = _form({**fields, "VK_NONCE": nonce, "VK_INFO": ""}, ok_list, "swedbank")
    client.post("/en/login/swedbank/answer/", signed)
    assert AuthenticationRecord.objects.get().reason == "bad_signature"


# -- Clock skew: answers from the future -----------------------------------------------------------------------------


@pytest.mark.parametrize(("ahead", "accepted"), [(30, True), (120, False)])
def test_an_answer_stamped_ahead_of_our_clock_is_accepted_only_within_the_skew_window(
    client: Client, ahead: int, accepted: bool
) -> None:
    _start(client, "seb")
    response = client.post("/en/login/seb/answer/", _seb_0001(dt.datetime.now(RIGA) + dt.timedelta(seconds=ahead)))
    assert (response["Location"] == "/en/dashboard/") is accepted
    if not accepted:
        assert AuthenticationRecord.objects.get().reason == "stale"


def test_the_skew_window_is_a_profile_setting(client: Client, settings: Any, tmp_path: Any) -> None:
    profile_file = tmp_path / "seb.json"
    profile_file.write_text('{"max_future_seconds": 300}', encoding="utf-8")
    settings.BANKLINK = {**settings.BANKLINK, "seb": {**settings.BANKLINK["seb"], "PROFILE": str(profile_file)}}
    _start(client, "seb")
    response = client.post("/en/login/seb/answer/", _seb_0001(dt.datetime.now(RIGA) + dt.timedelta(seconds=120)))
    assert response["Location"] == "/en/dashboard/"


# -- Citadele: the XML itself in xmldata, FIDAVISTA 1-1 or 1-2, Person "SURNAME GIVEN" --------------------------------

AUTHRESP = """<?xml version="1.0" encoding="UTF-8"?>
<FIDAVISTA xmlns="http://ivis.eps.gov.lv/XMLSchemas/100017/fidavista/v{version}">
  <Header>
    <Timestamp>{timestamp}</Timestamp>
    <From>CITADELE</From>
    <Extension>
      <Amai xmlns="http://online.citadele.lv/XMLSchemas/amai/">
        <Request>AUTHRESP</Request>
        <RequestUID>{nonce}</RequestUID>
        <Version>6.0</Version>
        <Language>LV</Language>
        <PersonCode>15038512346</PersonCode>
        <Person>BĒRZIŅA ANNA MARIJA</Person>
        <Code>{code}</Code>
        <Message>OK</Message>
        <SignatureData><ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#" Id="placeholder"/></SignatureData>
      </Amai>
    </Extension>
  </Header>
</FIDAVISTA>"""


def _authresp(nonce: str, *, version: str, code: str = "100") -> str:
    stamp = dt.datetime.now(RIGA).strftime("%Y%m%d%H%M%S%f")[:17]
    xml = AUTHRESP.format(version=version, timestamp=stamp, nonce=nonce, code=code)
    root = etree.fromstring(xml.encode())
    issued = responses.bank_certificate("citadele")
    return citadele.sign_xml(
        root, key_pem=issued.key_path.read_bytes(), cert_pem=issued.cert_pem, hash_name="SHA-256", c14n="exclusive"
    )


@pytest.mark.parametrize("version", ["1-1", "1-2"])
def test_a_citadele_answer_with_the_xml_itself_in_xmldata_logs_in_in_either_namespace_version(
    client: Client, version: str
) -> None:
    nonce, _ = _start(client, "citadele")
    xmldata = _authresp(nonce, version=version)
    assert xmldata.startswith("<?xml")
    response = client.post("/en/login/citadele/answer/", {"xmldata": xmldata})
    assert response["Location"] == "/en/dashboard/"
    identity = DigitalIdentity.objects.get()
    assert (identity.given_name, identity.family_name) == ("ANNA MARIJA", "BĒRZIŅA")


def test_a_citadele_cancel_says_cancelled(client: Client) -> None:
    nonce, _ = _start(client, "citadele")
    page = client.post(
        "/en/login/citadele/answer/", {"xmldata": _authresp(nonce, version="1-1", code="200")}, follow=True
    )
    assert _text(ErrorCode.EID_CANCELLED_AT_BANK) in page.content.decode()


def test_a_citadele_answer_in_an_unknown_namespace_is_refused(client: Client) -> None:
    nonce, _ = _start(client, "citadele")
    client.post("/en/login/citadele/answer/", {"xmldata": _authresp(nonce, version="9-9")})
    assert AuthenticationRecord.objects.get().reason == "namespace"


def test_our_citadele_request_posts_the_signed_xml_itself_in_the_namespace_version_configured(
    client: Client,
) -> None:
    nonce, page = _start(client, "citadele")
    document = etree.HTML(page)
    [value] = document.xpath('//input[@name="xmldata"]/@value')
    assert value.startswith("<?xml")
    root = citadele.verify_xml(
        value,
        cert_pem=responses.portal_certificate().cert_pem,
        hash_name="SHA-256",
        allow_sha1=False,
    )
    assert etree.QName(root).namespace == "http://ivis.eps.gov.lv/XMLSchemas/100017/fidavista/v1-2"
    assert citadele.text(root, "RequestUID") == nonce
    assert citadele.text(root, "Request") == "AUTHREQ"
    amai = root.find(".//{http://online.citadele.lv/XMLSchemas/amai/}Amai")
    assert amai is not None
    assert amai.find("{http://online.citadele.lv/XMLSchemas/amai/}SignatureData") is not None
    # KeyInfo carries our certificate (BANKLINK_CITADELE_CERTIFICATE; the demo's is the test PKI's), as described.
    [certificate] = etree.fromstring(value.encode()).iter("{http://www.w3.org/2000/09/xmldsig#}X509Certificate")
    expected = responses.portal_certificate().cert_pem.decode()
    assert "".join(certificate.text.split()) in "".join(expected.splitlines())


def test_a_bank_writing_the_family_name_first_in_its_info_field_is_a_profile_setting(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    profile_file = tmp_path / "swedbank.json"
    person = {"info": "VK_INFO", "info_code_key": "ISIK", "info_name_key": "NIMI", "name_order": "family-first"}
    profile_file.write_text(json.dumps({"person": person}), encoding="utf-8")
    settings.BANKLINK = {
        **settings.BANKLINK,
        "swedbank": {**settings.BANKLINK["swedbank"], "PROFILE": str(profile_file)},
    }
    nonce, _ = _start(client, "swedbank")
    fields = {
        "VK_SERVICE": "3003", "VK_VERSION": "008", "VK_SND_ID": "SWEDBANK_LV", "VK_REC_ID": "TELE2SELFCARE",
        "VK_NONCE": nonce, "VK_INFO": "ISIK:150385-12346;NIMI:BĒRZIŅA ANNA",
    }  # fmt: skip
    names = ["VK_SERVICE", "VK_VERSION", "VK_SND_ID", "VK_REC_ID", "VK_NONCE", "VK_INFO"]
    assert client.post("/en/login/swedbank/answer/", _form(fields, names, "swedbank"))["Location"] == "/en/dashboard/"
    identity = DigitalIdentity.objects.get()
    assert (identity.given_name, identity.family_name) == ("ANNA", "BĒRZIŅA")


def test_a_time_zone_that_does_not_exist_is_refused_at_start(settings: Any, tmp_path: Any) -> None:
    from django.core.exceptions import ImproperlyConfigured

    profile_file = tmp_path / "citadele.json"
    profile_file.write_text('{"time_zone": "Europe/Atlantis"}', encoding="utf-8")
    settings.BANKLINK = {
        **settings.BANKLINK,
        "citadele": {**settings.BANKLINK["citadele"], "PROFILE": str(profile_file)},
    }
    with pytest.raises(ImproperlyConfigured, match="time_zone"):
        bank_profile("citadele")


def test_a_citadele_answer_whose_quotes_arrive_escaped_once_more_still_logs_in(client: Client) -> None:
    nonce, _ = _start(client, "citadele")
    escaped = _authresp(nonce, version="1-2").replace('"', "&quot;")
    assert client.post("/en/login/citadele/answer/", {"xmldata": escaped})["Location"] == "/en/dashboard/"


def test_an_seb_contract_that_echoes_ib_stamp_is_a_profile_setting(
    client: Client, settings: Any, tmp_path: Any
) -> None:
    profile_file = tmp_path / "seb.json"
    profile_file.write_text(json.dumps({"nonce_echoed": True, "response_signed_fields": [*SEB_0001, "IB_STAMP"]}))
    settings.BANKLINK = {**settings.BANKLINK, "seb": {**settings.BANKLINK["seb"], "PROFILE": str(profile_file)}}
    nonce, _ = _start(client, "seb")
    fields = responses.answer(
        bank_profile("seb"), nonce=nonce, person=responses.Person("15038512346", "Anna", "Bērziņa")
    )
    assert fields["IB_STAMP"] == nonce
    # (from another browser: any refused answer also ends this browser's pending login)
    assert Client().post("/en/login/seb/answer/", {**fields, "IB_STAMP": "0" * 32})["Location"] == "/en/login/"
    assert AuthenticationRecord.objects.get().reason == "bad_signature"
    assert client.post("/en/login/seb/answer/", fields)["Location"] == "/en/dashboard/"
