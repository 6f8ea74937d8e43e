"""QR images of a text (a ticket code, a self check-in address): SVG and PNG, error correction M,
a quiet zone of 4 modules. Pure: qrcode without Pillow, so the image factory is explicit."""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
import qrcode.constants
from qrcode.image.pure import PyPNGImage
from qrcode.image.svg import SvgPathFillImage


def _make(text: str, factory, box_size: int):
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4,
                       box_size=box_size, image_factory=factory)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.make_image()


@lru_cache(maxsize=2048)
def svg(text: str) -> bytes:
    buf = io.BytesIO()
    _make(text, SvgPathFillImage, 10).save(buf)
    return buf.getvalue()


def svg_inline(text: str) -> str:
    """The SVG without its XML declaration, to put inside a page."""
    body = svg(text).decode()
    if body.startswith("<?xml"):
        body = body.split("?>", 1)[1]
    return body.strip()


@lru_cache(maxsize=2048)
def png(text: str, box_size: int = 10) -> bytes:
    buf = io.BytesIO()
    _make(text, PyPNGImage, box_size).save(buf)
    return buf.getvalue()
