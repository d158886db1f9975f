"""Offer pictures: the type is decided by decoding the content with Pillow, never by the file's name or the
browser's claim, and what is stored is a fresh encoding by the server (metadata and any trailing bytes gone),
so a file that only looks like an image is never served back (SECURITY.md "Documents": size limit, type by
content, server-made names).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from selfcare.errors import MESSAGES, ErrorCode

MAX_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4000
STORED_WIDTH = 960  # wide enough for a card on a large screen; larger pictures are scaled down
ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


@dataclass(frozen=True, slots=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int


def clean_image(data: bytes) -> CleanImage:
    """Decode, check and re-encode an uploaded picture. ValidationError with a translated message otherwise."""
    if len(data) > MAX_BYTES:
        raise ValidationError(MESSAGES[ErrorCode.OFFER_IMAGE_TOO_LARGE], code=ErrorCode.OFFER_IMAGE_TOO_LARGE)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in ACCEPTED:
                raise ValidationError(MESSAGES[ErrorCode.OFFER_IMAGE_INVALID], code=ErrorCode.OFFER_IMAGE_INVALID)
            if max(probe.size) > MAX_SIDE:
                raise ValidationError(MESSAGES[ErrorCode.OFFER_IMAGE_TOO_LARGE], code=ErrorCode.OFFER_IMAGE_TOO_LARGE)
            probe.verify()  # structure and checksums; the image must be reopened after this
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(MESSAGES[ErrorCode.OFFER_IMAGE_INVALID], code=ErrorCode.OFFER_IMAGE_INVALID) from None
    if picture.width > STORED_WIDTH:
        picture = picture.resize((STORED_WIDTH, max(1, round(picture.height * STORED_WIDTH / picture.width))))
    out = io.BytesIO()
    if picture.mode == "RGBA":
        picture.save(out, format="PNG", optimize=True)
        content_type = "image/png"
    else:
        picture.save(out, format="JPEG", quality=85, optimize=True)
        content_type = "image/jpeg"
    return CleanImage(out.getvalue(), content_type, picture.width, picture.height)
