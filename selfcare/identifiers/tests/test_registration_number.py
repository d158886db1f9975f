import pytest
from django.core.exceptions import ValidationError

from selfcare.errors import ErrorCode
from selfcare.identifiers import parse_registration_number, parse_vat_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [("40003521600", "40003521600"), ("LV40103548442", "40103548442"), (" 4000 3521 600 ", "40003521600")],
)
def test_valid_registration_numbers_are_normalised(text: str, expected: str) -> None:
    assert parse_registration_number(text) == expected


def test_a_registration_number_whose_digits_do_not_add_up_is_refused() -> None:
    with pytest.raises(ValidationError) as error:
        parse_registration_number("40003521601")
    assert error.value.code == ErrorCode.REGISTRATION_NUMBER_CHECKSUM


@pytest.mark.parametrize("text", ["4000352160", "400035216000", "4000352160X", "16117519997", ""])
def test_wrong_length_letters_or_a_personal_code_are_refused_as_format_errors(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_registration_number(text)
    assert error.value.code == ErrorCode.REGISTRATION_NUMBER_FORMAT


def test_a_vat_number_is_lv_and_a_valid_registration_number() -> None:
    assert parse_vat_number("lv 40003521600") == "LV40003521600"
    for bad in ("40003521600", "LV40003521601", "EE100931558"):
        with pytest.raises(ValidationError) as error:
            parse_vat_number(bad)
        assert error.value.code == ErrorCode.VAT_NUMBER_INVALID
