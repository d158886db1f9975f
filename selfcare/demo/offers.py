"""The demo's Tele2 Komplimenti: a data gift for private customers and employees, a welcome gift for new
customers (shown on the public plan pages), a coffee chain's discount with generated codes, and a special offer.
Loaded by `load_demo`, idempotently: offers are upserted by slug; a code pool and a picture are made once and then
left alone (codes are random, a re-run must not add more).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image, ImageDraw, ImageFont

from selfcare.customers.models import GB
from selfcare.mandates.form import FONTS
from selfcare.offers.codes import generate_codes
from selfcare.offers.images import clean_image
from selfcare.offers.models import LimitScope, Offer, OfferImage, OfferKind, OfferStatus

if TYPE_CHECKING:
    from selfcare.demo.loader import LoadReport

# Fixed dates keep a re-run a no-op; the window is wide enough for any demo day.
SHOWN_FROM = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
SHOWN_UNTIL = datetime.datetime(2030, 12, 31, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class DemoOffer:
    slug: str
    values: dict[str, Any]
    banner: tuple[str, tuple[int, int, int]]  # big text on the picture, background colour
    codes: int = 0  # generated partner codes
    code_prefix: str = ""


OFFERS: tuple[DemoOffer, ...] = (
    DemoOffer(
        "dati-5gb-7-dienas",
        {
            "title_lv": "Dāvanā 5 GB uz 7 dienām",
            "title_en": "A gift of 5 GB for 7 days",
            "title_ru": "5 ГБ в подарок на 7 дней",
            "description_lv": "Paldies, ka esat ar mums! Saņemiet 5 GB papildu datu, ko varat izmantot Latvijā un ES "
            "7 dienas (līdz norēķinu perioda beigām).",
            "description_en": "Thank you for being with us! Get 5 GB of extra data to use in Latvia and the EU for "
            "7 days (until the end of the billing period at the latest).",
            "description_ru": "Спасибо, что вы с нами! Получите 5 ГБ дополнительных данных для Латвии и ЕС на 7 дней "
            "(не дольше конца расчётного периода).",
            "kind": OfferKind.DATA_GIFT,
            "data_bytes": 5 * GB,
            "data_valid_days": 7,
            "for_private": True,
            "for_company": False,
            "for_employees": True,
            "limit": LimitScope.CONNECTION,
            "stock_total": 1000,
        },
        ("+5 GB", (0, 110, 160)),
    ),
    DemoOffer(
        "sveiciens-10gb",
        {
            "title_lv": "Sveiciens: 10 GB dāvanā",
            "title_en": "Welcome: 10 GB as a gift",
            "title_ru": "Добро пожаловать: 10 ГБ в подарок",
            "description_lv": "Jauniem klientiem: pirmajās 30 dienās pēc pieslēguma aktivizēšanas saņemiet 10 GB "
            "papildu datu, ko varat izmantot Latvijā un ES 30 dienas.",
            "description_en": "For new customers: in the first 30 days after your connection is activated, get 10 GB "
            "of extra data to use in Latvia and the EU for 30 days.",
            "description_ru": "Для новых клиентов: в первые 30 дней после активации подключения получите 10 ГБ "
            "дополнительных данных для Латвии и ЕС на 30 дней.",
            "kind": OfferKind.DATA_GIFT,
            "data_bytes": 10 * GB,
            "data_valid_days": 30,
            "for_private": True,
            "for_company": True,
            "for_employees": False,
            "welcome_days": 30,
            "limit": LimitScope.CONNECTION,
        },
        ("+10 GB", (0, 130, 90)),
    ),
    DemoOffer(
        "kafijas-biedriba-20",
        {
            "title_lv": "−20% kafijai “Kafijas Biedrībā”",
            "title_en": "20% off coffee at Kafijas Biedrība",
            "title_ru": "−20% на кофе в «Kafijas Biedrība»",
            "description_lv": "Uzrādiet kodu kasē jebkurā “Kafijas Biedrības” kafejnīcā un saņemiet 20% atlaidi "
            "visiem kafijas dzērieniem. Kods derīgs vienu reizi.",
            "description_en": "Show the code at the till in any Kafijas Biedrība café and get 20% off every coffee "
            "drink. The code can be used once.",
            "description_ru": "Покажите код на кассе в любом кафе «Kafijas Biedrība» и получите скидку 20% на все "
            "кофейные напитки. Код действует один раз.",
            "kind": OfferKind.PARTNER,
            "partner": "Kafijas Biedrība",
            "link": "https://www.example.lv/kafijas-biedriba",
            "for_private": True,
            "for_company": True,
            "for_employees": True,
            "limit": LimitScope.PERSON,
        },
        ("-20%", (122, 72, 40)),
        codes=300,
        code_prefix="KB-",
    ),
    DemoOffer(
        "galaxy-0-eur",
        {
            "title_lv": "Jaunais viedtālrunis ar 0 € pirmo iemaksu",
            "title_en": "A new smartphone with a 0 € down payment",
            "title_ru": "Новый смартфон с первым взносом 0 €",
            "description_lv": "Pieslēguma klientiem: izvēlieties viedtālruni ar 0 € pirmo iemaksu un nomaksu līdz "
            "36 mēnešiem. Piedāvājuma noteikumi — tele2.lv.",
            "description_en": "For contract customers: choose a smartphone with a 0 € down payment and pay in up to "
            "36 monthly instalments. Terms at tele2.lv.",
            "description_ru": "Для абонентов по договору: смартфон с первым взносом 0 € и рассрочкой до 36 месяцев. "
            "Условия — на tele2.lv.",
            "kind": OfferKind.SPECIAL,
            "link": "https://www.tele2.lv/",
            "for_private": True,
            "for_company": True,
            "for_employees": False,
            "limit": LimitScope.PERSON,
        },
        ("0 €", (31, 42, 68)),
    ),
)


def ensure_offers(report: LoadReport) -> None:
    for demo in OFFERS:
        values = demo.values | {
            "valid_from": SHOWN_FROM,
            "valid_until": SHOWN_UNTIL,
            "status": OfferStatus.ACTIVE,
            "data_bytes": demo.values.get("data_bytes"),
            "data_valid_days": demo.values.get("data_valid_days"),
            "partner": demo.values.get("partner", ""),
            "link": demo.values.get("link", ""),
            "stock_total": demo.values.get("stock_total"),
            "welcome_days": demo.values.get("welcome_days"),
        }
        offer = Offer.objects.filter(slug=demo.slug).first()
        created = offer is None
        if offer is None:
            offer = Offer(slug=demo.slug, stock_left=values["stock_total"], **values)
            changed = True
        else:
            changed = any(getattr(offer, name) != value for name, value in values.items())
            for name, value in values.items():
                setattr(offer, name, value)
        if changed:
            offer.full_clean()
            offer.save()
        report.count("Offer", created=created, changed=changed)
        if demo.codes and not offer.code_pools.exists():
            generate_codes(offer=offer, name="demo", count=demo.codes, prefix=demo.code_prefix, length=8)
            report.count("CodePool", created=True, changed=True)
        if not OfferImage.objects.filter(offer=offer).exists():
            picture = clean_image(_banner(*demo.banner))
            OfferImage.objects.create(
                offer=offer,
                content=picture.content,
                content_type=picture.content_type,
                width=picture.width,
                height=picture.height,
            )
            report.count("OfferImage", created=True, changed=True)


def _banner(text: str, colour: tuple[int, int, int]) -> bytes:
    """A plain picture for a demo offer: its headline in white on a colour (no stock photos in the repository)."""
    image = Image.new("RGB", (960, 300), colour)
    draw = ImageDraw.Draw(image)
    # Pillow's built-in font has no euro sign (the 0 € banner showed a box); DejaVu Sans, shipped for the mandate
    # form, has every letter the demo writes.
    font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), size=140)
    box = draw.textbbox((0, 0), text, font=font)
    position = ((960 - (box[2] - box[0])) / 2, (300 - (box[3] - box[1])) / 2 - box[1])
    draw.text(position, text, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
