import datetime

import pytest
from django.core.exceptions import ValidationError

from selfcare.errors import ErrorCode
from selfcare.identifiers import PersonalCode


@pytest.mark.parametrize(
    "text",
    ["PNOLV-010117-21239", "010117-21239", "01011721239", "  010117-21239 ", "pnolv-010117-21239", "010117 21239"],
)
def test_every_input_form_of_a_personal_code_normalises_to_eleven_digits(text: str) -> None:
    assert PersonalCode.parse(text) == PersonalCode("LV", "01011721239")


def test_the_code_in_sks_sample_certificate_fails_the_checksum_and_is_refused() -> None:
    # PNOLV-010117-21234 appears in SK's client tests; both published formulas give 9 as its check digit.
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("PNOLV-010117-21234")
    assert error.value.code == ErrorCode.PERSONAL_CODE_CHECKSUM


@pytest.mark.parametrize("code", ["161175-19997", "010180-15097", "150385-12346", "220790-18761"])
def test_old_format_codes_with_a_correct_check_digit_are_accepted(code: str) -> None:
    assert PersonalCode.parse(code).display == code


def test_an_old_format_code_with_a_wrong_check_digit_is_refused_with_the_checksum_error() -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("161175-19998")
    assert error.value.code == ErrorCode.PERSONAL_CODE_CHECKSUM


@pytest.mark.parametrize("code", ["161175-39997", "161175-99997"])
def test_a_century_digit_other_than_0_1_2_is_refused(code: str) -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse(code)
    assert error.value.code == ErrorCode.PERSONAL_CODE_DATE


@pytest.mark.parametrize("code", ["311175-19997", "161375-19997", "000175-19997", "290201-19997"])
def test_a_birth_date_that_does_not_exist_is_refused(code: str) -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse(code)
    assert error.value.code == ErrorCode.PERSONAL_CODE_DATE


@pytest.mark.parametrize("code", ["32579104511", "328673-00677", "399999-99999", "PNOLV-320000-00008"])
def test_new_format_codes_are_accepted_without_a_checksum(code: str) -> None:
    parsed = PersonalCode.parse(code)
    assert parsed.is_new_format
    assert parsed.birth_date is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0101172123",
        "010117212345",
        "010117_21234",
        "01011721a34",
        "PNOEE-380010857",
        "EE 3800108571",
        "PNOLV-0101-1721234",
    ],
)
def test_wrong_length_or_characters_are_refused_with_the_format_error(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse(text)
    assert error.value.code == ErrorCode.PERSONAL_CODE_FORMAT


def test_the_refusal_message_tells_the_person_what_a_code_looks_like() -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("123")
    assert "11" in error.value.messages[0]


def test_an_old_format_code_carries_its_birth_date_and_century() -> None:
    assert PersonalCode.parse("161175-19997").birth_date == datetime.date(1975, 11, 16)
    assert PersonalCode.parse("PNOLV-150385-12346").etsi == "PNOLV-150385-12346"


@pytest.mark.parametrize("text", ["PNOEE-38001085718", "EE 38001085718", "ee38001085718", " EE-38001085718 "])
def test_an_estonian_code_is_read_in_every_form_it_is_written(text: str) -> None:
    assert PersonalCode.parse(text) == PersonalCode("EE", "38001085718")


def test_an_estonian_code_chosen_beside_the_field_needs_no_prefix() -> None:
    assert PersonalCode.parse("38001085718", country="EE") == PersonalCode("EE", "38001085718")


def test_an_estonian_code_with_a_wrong_check_digit_is_refused_with_the_checksum_error() -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("EE 38001085717")
    assert error.value.code == ErrorCode.PERSONAL_CODE_CHECKSUM


def test_an_estonian_code_without_a_real_birth_date_is_refused_with_the_date_error() -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("EE 38013085710")  # month 13, with a matching check digit
    assert error.value.code == ErrorCode.PERSONAL_CODE_BALTIC_DATE


def test_a_lithuanian_code_is_accepted_and_carries_its_birth_date() -> None:
    code = PersonalCode.parse("PNOLT-33309240064")
    assert code == PersonalCode("LT", "33309240064")
    assert code.birth_date == datetime.date(1933, 9, 24)


def test_a_lithuanian_code_with_a_wrong_check_digit_is_refused_with_the_checksum_error() -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("LT 33309240065")
    assert error.value.code == ErrorCode.PERSONAL_CODE_CHECKSUM


@pytest.mark.parametrize("text", ["FI 131052-308T", "PNOFI-13105230", "DE 38001085718"])
def test_a_code_of_a_country_not_modelled_is_refused_and_the_message_names_the_countries(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse(text)
    assert error.value.code in (ErrorCode.PERSONAL_CODE_COUNTRY, ErrorCode.PERSONAL_CODE_FORMAT)


def test_a_country_written_in_the_code_must_agree_with_the_country_chosen() -> None:
    with pytest.raises(ValidationError) as error:
        PersonalCode.parse("EE 38001085718", country="LT")
    assert error.value.code == ErrorCode.PERSONAL_CODE_COUNTRY


def test_a_bare_code_stays_latvian_so_nothing_typed_before_reads_differently() -> None:
    assert PersonalCode.parse("38001085718").country == "LV"  # also a valid Latvian new-format code


def test_pages_show_a_foreign_code_with_its_country_and_a_latvian_one_as_people_write_it() -> None:
    assert PersonalCode.parse("EE 38001085718").display == "EE 38001085718"
    assert PersonalCode.parse("PNOLT-33309240064").etsi == "PNOLT-33309240064"
    assert PersonalCode.parse("010117-21239").display == "010117-21239"
    assert PersonalCode.parse("010117-21239").etsi == "PNOLV-010117-21239"


def test_only_a_latvian_code_can_be_of_the_new_format() -> None:
    assert PersonalCode.parse("32579104511").is_new_format
    assert not PersonalCode.parse("38001085718", country="EE").is_new_format


def test_the_stored_digits_of_a_code_are_found_for_any_modelled_country() -> None:
    assert PersonalCode.digits("010117-21239") == "01011721239"
    assert PersonalCode.digits("49001010001") == "49001010001"  # no Latvian date, a valid Estonian code
    with pytest.raises(ValidationError) as error:
        PersonalCode.digits("010117-21234")
    assert error.value.code == ErrorCode.PERSONAL_CODE_CHECKSUM
