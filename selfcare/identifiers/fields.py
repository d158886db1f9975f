"""Model fields that store identifiers normalised, so every form (admin included) validates and normalises input.

`to_python` parses and normalises; a bad value raises the parser's ValidationError, so forms show the
translated message next to the field and nothing is saved. Model code calls `full_clean()` for the same effect.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db import models

from selfcare.identifiers.msisdn import parse_msisdn
from selfcare.identifiers.personal_code import PersonalCode
from selfcare.identifiers.registration_number import parse_registration_number, parse_vat_number


def _personal_code(value: str) -> str:
    # The field holds the digits; the country is a sibling column (NationalIdentifier.country,
    # Mandate.attorney_country, ...), which the code's own rules are checked with when the pair is made.
    return PersonalCode.digits(value)


# How long a typed identifier may be before it is normalised: "PNOLV-325791-04511", "+371 25 500 001",
# "LV 40003245752" with a stray space are longer than the stored form, which the model's max_length is about.
TYPED_MAX_LENGTH = 32


class IdentifierFormField(forms.CharField):
    """The form field of an identifier: it takes the value as people type it and cleans it to the stored form.

    A plain CharField would check the model's max_length against the typed text (and put maxlength on the input),
    so "325791-04511" (12 characters) would be refused by an 11-digit field before the hyphen is removed.
    """

    def __init__(self, *, normalise: Any, **kwargs: Any) -> None:
        self.normalise = normalise
        kwargs["max_length"] = TYPED_MAX_LENGTH
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return self.normalise(value)


class _NormalisingCharField(models.CharField):  # type: ignore[type-arg]
    default_max_length: ClassVar[int] = 255

    def normalise(self, value: str) -> str:
        """The stored form of a typed value; each identifier field parses it, raising ValidationError."""
        return value.strip()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        return self.normalise(value)

    def formfield(
        self,
        form_class: type[forms.Field] | None = None,
        choices_form_class: type[forms.ChoiceField] | None = None,
        **kwargs: Any,
    ) -> forms.Field | None:
        if form_class is None and not self.choices:
            form_class, kwargs = IdentifierFormField, {"normalise": self.normalise, **kwargs}
        return super().formfield(form_class=form_class, choices_form_class=choices_form_class, **kwargs)

    def get_prep_value(self, value: Any) -> Any:
        # CharField would call to_python here, turning every lookup (a search for "Ilze", say) into a parse that
        # raises; lookups compare the stored form, so a query passes its value through untouched.
        value = models.Field.get_prep_value(self, value)
        return value if value is None else str(value)


class PersonalCodeField(_NormalisingCharField):
    """A personal code of a modelled country, stored as its 11 digits; the country is stored beside it."""

    def normalise(self, value: str) -> str:
        return _personal_code(value)

    default_max_length = 11


class RegistrationNumberField(_NormalisingCharField):
    def normalise(self, value: str) -> str:
        return parse_registration_number(value)

    default_max_length = 11


class VatNumberField(_NormalisingCharField):
    def normalise(self, value: str) -> str:
        return parse_vat_number(value)

    default_max_length = 13


class MsisdnField(_NormalisingCharField):
    """A phone number in E.164."""

    def normalise(self, value: str) -> str:
        return parse_msisdn(value)

    default_max_length = 16
