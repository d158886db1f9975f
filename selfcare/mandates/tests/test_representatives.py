"""Representatives: loading the register's officers export, matching people to masked codes, the signing rule."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from selfcare.access.contexts import ContextKind, contexts_of
from selfcare.access.tests import factories as people
from selfcare.customers.tests import factories
from selfcare.mandates import services
from selfcare.mandates.documents import NOT_REPRESENTATIVES, document_attach
from selfcare.mandates.models import DocumentChannel, Representation, RepresentativeSource
from selfcare.mandates.register import RegisterFormatError, load_officers
from selfcare.mandates.representatives import SignerIdentity, binds_company, name_key
from selfcare.mandates.tests import builders

pytestmark = pytest.mark.django_db

HEADER = (
    "id;uri;at_legal_entity_registration_number;entity_type;position;governing_body;name;"
    "latvian_identity_number_masked;birth_date;legal_entity_registration_number;rights_of_representation_type;"
    "representation_with_at_least;registered_on;last_modified_at\n"
)


def _officers(*rows: str) -> str:
    return HEADER + "".join(row + "\n" for row in rows)


def _row(source_id: str, company: str, name: str, masked: str, rights: str, at_least: str = "") -> str:
    return f"{source_id};https://dati.ur.gov.lv/;{company};COMPANY;BOARD_MEMBER;BOARD;{name};{masked};;;{rights};{at_least};2020-01-01;"


def test_the_loader_reads_sole_and_joint_officers_of_our_companies_and_skips_the_rest() -> None:
    company = factories.company(registration_number="40003111115")
    text = _officers(
        _row("1", "40003111115", "Līga Liepa", "325791-*****", "INDIVIDUALLY"),
        _row("2", "40003111115", "Jānis Kalniņš", "010180-*****", "WITH_AT_LEAST", "1"),
        _row("3", "40003111115", "SIA Holding", "", "INDIVIDUALLY"),  # a legal person: no code to match
        _row("4", "49999999999", "Somebody Else", "020280-*****", "INDIVIDUALLY"),  # not our customer
    )
    result = load_officers(text.encode())
    assert (result.created, result.skipped) == (2, 2)
    rows = {r.name: r for r in company.representatives.all()}
    assert (rows["Līga Liepa"].representation, rows["Līga Liepa"].code_prefix) == (Representation.SOLE, "325791")
    assert (rows["Jānis Kalniņš"].representation, rows["Jānis Kalniņš"].signatures_required) == (
        Representation.JOINT,
        2,
    )


def test_reloading_the_same_file_changes_nothing_and_a_dropped_officer_is_removed_but_manual_entries_stay() -> None:
    company = factories.company(registration_number="40003111115")
    manual = builders.representative(company, "Anna Bērziņa", "15038512346", personal_code="15038512346")
    first = _officers(
        _row("1", "40003111115", "Līga Liepa", "325791-*****", "INDIVIDUALLY"),
        _row("2", "40003111115", "Jānis Kalniņš", "010180-*****", "INDIVIDUALLY"),
    )
    load_officers(first)
    again = load_officers(first)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    later = load_officers(_officers(_row("1", "40003111115", "Līga Liepa", "325791-*****", "INDIVIDUALLY")))
    assert later.removed == 1
    assert set(company.representatives.values_list("name", "source")) == {
        ("Līga Liepa", RepresentativeSource.REGISTER),
        (manual.name, RepresentativeSource.MANUAL),
    }


def test_with_all_needs_every_joint_officer_of_the_company() -> None:
    company = factories.company(registration_number="40003111115")
    load_officers(
        _officers(*(_row(str(i), "40003111115", f"Person {i}", f"01018{i}-*****", "WITH_ALL") for i in range(3)))
    )
    assert set(company.representatives.values_list("signatures_required", flat=True)) == {3}


def test_a_file_that_is_not_the_officers_export_is_refused(tmp_path: object) -> None:
    with pytest.raises(RegisterFormatError):
        load_officers("a;b;c\n1;2;3\n")
    path = tmp_path / "wrong.csv"  # type: ignore[operator]
    path.write_text("a;b\n")
    with pytest.raises(CommandError):
        call_command("mandates", "load-representatives", str(path))


def test_the_load_command_reports_what_it_did(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    factories.company(registration_number="40003111115")
    path = tmp_path / "officers.csv"  # type: ignore[operator]
    path.write_text(_officers(_row("1", "40003111115", "Līga Liepa", "325791-*****", "INDIVIDUALLY")))
    call_command("mandates", "load-representatives", str(path))
    assert "1 created" in capsys.readouterr().out


def test_names_match_whatever_the_case_order_and_diacritics() -> None:
    assert name_key("LĪGA LIEPA") == name_key("Liepa Līga") == name_key("LIGA LIEPA")
    assert name_key("Līga Liepa") != name_key("Līga Kalniņa")


def test_a_sole_representative_binds_the_company_alone() -> None:
    company = factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    assert binds_company(company, [SignerIdentity("32579104511", "LĪGA LIEPA")])


def test_joint_representatives_bind_the_company_only_when_enough_sign() -> None:
    company = factories.company()
    for name, code in (
        ("Jānis Kalniņš", "01018012345"),
        ("Ilze Ozola", "02028012345"),
        ("Kārlis Lācis", "03038012345"),
    ):
        builders.representative(company, name, code, representation=Representation.JOINT, signatures_required=2)
    one = [SignerIdentity("01018012345", "JĀNIS KALNIŅŠ")]
    assert not binds_company(company, one)
    assert not binds_company(company, one + one)  # the same person twice is one signature
    assert binds_company(company, [*one, SignerIdentity("02028012345", "ILZE OZOLA")])


def test_someone_who_is_not_a_representative_does_not_bind_the_company() -> None:
    company = factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    assert not binds_company(company, [SignerIdentity("22079018761", "PĒTERIS OZOLS")])
    # same six leading digits, another name: the masked code alone is not enough
    assert not binds_company(company, [SignerIdentity("32579199999", "ILZE OZOLA")])


def test_a_full_code_entered_by_staff_matches_exactly_even_with_another_spelling_of_the_name() -> None:
    company = factories.company()
    builders.representative(company, "Liga Liepa-Ozola", "32579104511", personal_code="32579104511")
    assert binds_company(company, [SignerIdentity("32579104511", "LĪGA LIEPA")])
    assert not binds_company(company, [SignerIdentity("32579104599", "LIGA LIEPA-OZOLA")])


def test_a_document_signed_by_a_stranger_is_kept_but_does_not_verify_the_mandate() -> None:
    company = factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    mandate = builders.draft(company)
    document = document_attach(
        request=None,
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name="a.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
        report=builders.report(mandate, builders.signer("PĒTERIS OZOLS", "22079018761")),
    )
    mandate.refresh_from_db()
    assert document.signatures_valid
    assert document.problems == [NOT_REPRESENTATIVES]
    assert not mandate.verified


def test_a_signature_on_another_mandates_form_does_not_verify_this_one() -> None:
    company = factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    mandate, other = builders.draft(company), builders.draft(company)
    document_attach(
        request=None,
        mandate=mandate,
        data=builders.MINIMAL_PDF,
        original_name="a.pdf",
        channel=DocumentChannel.PORTAL,
        by=services.SYSTEM,
        context=None,
        report=builders.report(other, builders.signer("LĪGA LIEPA", "32579104511")),
    )
    mandate.refresh_from_db()
    assert not mandate.verified


def test_a_representative_gets_a_representative_context_for_the_company_only() -> None:
    company, other = factories.company(), factories.company()
    builders.representative(company, "Līga Liepa", "32579104511")
    liga = people.person("32579104511", "LĪGA", "LIEPA")
    namesake = people.person("32579104522", "ILZE", "LIEPA")
    assert [(c.kind, c.company_id) for c in contexts_of(liga)] == [(ContextKind.REPRESENTATIVE, company.pk)]
    assert contexts_of(namesake) == []
    assert other.pk not in [c.company_id for c in contexts_of(liga)]
