import pytest
from django.core.exceptions import ValidationError

from selfcare.errors import ErrorCode
from selfcare.identifiers import format_msisdn, parse_msisdn
from selfcare.identifiers.msisdn import is_mobile


@pytest.mark.parametrize("text", ["+37129123456", "29123456", "29 123 456", "+371 2912 3456", "0037129123456"])
def test_latvian_numbers_in_any_written_form_normalise_to_e164(text: str) -> None:
    assert parse_msisdn(text) == "+37129123456"


@pytest.mark.parametrize("text", ["+3712000000", "2912345", "hello", "", "+371291234567"])
def test_numbers_of_the_wrong_length_or_not_numbers_are_refused(text: str) -> None:
    with pytest.raises(ValidationError) as error:
        parse_msisdn(text)
    assert error.value.code == ErrorCode.PHONE_NUMBER_INVALID


def test_a_valid_foreign_number_is_refused_as_not_latvian() -> None:
    with pytest.raises(ValidationError) as error:
        parse_msisdn("+37255512345")
    assert error.value.code == ErrorCode.PHONE_NUMBER_NOT_LATVIAN


def test_numbers_are_shown_grouped_as_people_read_them() -> None:
    assert format_msisdn("+37129123456") == "+371 29 123 456"


def test_only_mobile_numbers_count_as_mobile() -> None:
    assert is_mobile("+37129123456")
    assert not is_mobile(parse_msisdn("67123456"))
