"""Back office: offers created with their three languages and a checked picture, code pools uploaded (duplicates
refused with a report) or generated, claims exported as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from selfcare.access.tests import factories as people
from selfcare.offers.codes import generate_codes, upload_codes
from selfcare.offers.models import Offer, OfferClaim, OfferImage, OfferKind, PartnerCode
from selfcare.offers.services import claim_offer
from selfcare.offers.tests import factories
from selfcare.offers.tests.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client: Client) -> Client:
    return people.staff_client(client, "offers_editor")


def lv(text: str, **values: object) -> str:
    """The message as the back office shows it: in Latvian, the default language of unprefixed URLs."""
    with translation.override("lv"):
        return gettext(text) % values if values else gettext(text)


def _png(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 166, 214)).save(out, format="PNG")
    return out.getvalue()


def _offer_form(**overrides: object) -> dict[str, object]:
    return {
        "slug": "coffee",
        "status": "active",
        "kind": "partner",
        "partner": "Kafijas Biedrība",
        "link": "https://example.lv/kafija",
        "title_lv": "−20% kafijai",
        "title_en": "20% off coffee",
        "title_ru": "−20% на кофе",
        "description_lv": "Uzrādiet kodu kasē.",
        "description_en": "Show the code at the till.",
        "description_ru": "Покажите код на кассе.",
        "valid_from_0": "2026-01-01",
        "valid_from_1": "00:00:00",
        "valid_until_0": "2030-01-01",
        "valid_until_1": "00:00:00",
        "for_private": "on",
        "min_tenure_days": "0",
        "limit": "person",
        "stock_total": "100",
        "code_pools-TOTAL_FORMS": "0",
        "code_pools-INITIAL_FORMS": "0",
    } | overrides


def test_staff_create_an_offer_with_its_texts_and_a_picture_stored_re_encoded(staff: Client) -> None:
    picture = SimpleUploadedFile("photo.gif", _png(), content_type="image/gif")
    response = staff.post("/backoffice/offers/offer/add/", _offer_form(picture=picture))
    assert response.status_code == 302, response.content.decode()[:3000]
    offer = Offer.objects.get(slug="coffee")
    assert (offer.title_lv, offer.title_en, offer.title_ru) == ("−20% kafijai", "20% off coffee", "−20% на кофе")
    assert offer.stock_left == 100
    image = OfferImage.objects.get(offer=offer)
    assert image.content_type == "image/jpeg"
    assert bytes(image.content)[:3] == b"\xff\xd8\xff"  # the server's own encoding, not the upload


def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(staff: Client) -> None:
    fake = SimpleUploadedFile("photo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = staff.post("/backoffice/offers/offer/add/", _offer_form(picture=fake))
    assert response.status_code == 200
    assert lv("The picture must be a JPEG, PNG or WebP image.") in response.content.decode()
    assert not Offer.objects.exists()


def test_a_picture_over_the_size_limit_is_refused(staff: Client) -> None:
    big = SimpleUploadedFile("big.png", _png() + b"\0" * (2 * 1024 * 1024), content_type="image/png")
    response = staff.post("/backoffice/offers/offer/add/", _offer_form(picture=big))
    assert lv("The picture is too large: at most 2 MB and 4000 × 4000 pixels.") in response.content.decode()


def test_a_data_gift_without_amount_is_refused_with_a_clear_message(staff: Client) -> None:
    response = staff.post("/backoffice/offers/offer/add/", _offer_form(kind="data_gift"))
    assert response.status_code == 200
    assert lv("A data gift needs the amount of data and how many days it is valid.") in response.content.decode()


def test_an_upload_with_duplicates_adds_nothing_and_names_each_duplicate_line(staff: Client) -> None:
    offer = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None)
    generate_codes(offer=offer, name="old", count=1)
    existing = PartnerCode.objects.get(offer=offer).code
    text = f"code\nAAAA-1\nBBBB-2\nAAAA-1\n{existing}\n".replace("code\n", "")
    upload = SimpleUploadedFile("codes.csv", text.encode(), content_type="text/csv")
    response = staff.post(
        f"/backoffice/offers/offer/{offer.pk}/codes/", {"form": "upload", "name": "partner list", "codes_file": upload}
    )
    html = response.content.decode()
    assert lv("No codes were added: some codes appear twice or already exist for this offer.") in html
    assert lv("line %(line)s: %(code)s", line=3, code="AAAA-1") in html
    assert lv("line %(line)s: %(code)s", line=4, code=existing) in html
    assert PartnerCode.objects.filter(offer=offer).count() == 1


def test_a_clean_upload_adds_every_code_from_the_first_csv_column(db: None) -> None:
    offer = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None)
    report = upload_codes(offer=offer, name="list", text="\ufeffAAAA-1,20%\r\n\r\n BBBB-2 ;x\n")
    assert report.ok
    assert report.added == 2
    assert set(PartnerCode.objects.values_list("code", flat=True)) == {"AAAA-1", "BBBB-2"}


def test_generated_codes_are_unique_and_readable(staff: Client) -> None:
    offer = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None)
    response = staff.post(
        f"/backoffice/offers/offer/{offer.pk}/codes/",
        {"form": "generate", "name": "batch", "count": "200", "code_prefix": "KAF-"},
    )
    assert response.status_code == 302
    codes = list(PartnerCode.objects.filter(offer=offer).values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 200
    assert all(code.startswith("KAF-") and not set(code[4:]) & set("01ILO") for code in codes)


def test_claims_export_as_csv_with_the_code_and_no_formula_cells(staff: Client, world: World) -> None:
    offer = factories.offer(kind=OfferKind.PARTNER, data_bytes=None, data_valid_days=None, slug="kafija")
    upload_codes(offer=offer, name="list", text="-CODE1\n")
    claim_offer(
        request=factories.request(),
        identity=world.anna,
        context=factories.context_of(world.anna, "private"),
        connection_id=world.anna_phone.pk,
        offer_id=offer.pk,
        idempotency_key="k",
    )
    claim = OfferClaim.objects.get()
    response = staff.post(
        "/backoffice/offers/offerclaim/", {"action": "export_csv", "_selected_action": [str(claim.pk)]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["claimed_at", "offer", "title", "number"]
    assert rows[1][1] == "kafija"
    assert rows[1][3] == world.anna_phone.msisdn
    assert rows[1][8] == "'-CODE1"


def test_people_who_are_not_staff_see_no_claims(client: Client, world: World) -> None:
    client.force_login(User.objects.create_user("customer"))
    assert client.get("/backoffice/offers/offerclaim/").status_code == 302
