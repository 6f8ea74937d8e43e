"""Draw the door scanner's app icons into static/img: `python scripts/make_icons.py`.

The installed scanner (its web app manifest) needs PNG icons of 192 and 512 pixels, and a
"maskable" one whose drawing stays inside the centre circle that launchers crop to. Drawn with
pypng and qrcode (the service's own dependencies, no Pillow): the brand red to the edges and a
white card with a QR code in the middle. The PNGs are committed; run this again only to change
them.
"""

from __future__ import annotations

from pathlib import Path

import png
import qrcode
import qrcode.constants

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "img"
BRAND = (0xB3, 0x26, 0x1E)  # --brand in static/css/app.css
WHITE = (0xFF, 0xFF, 0xFF)


def matrix() -> list[list[bool]]:
    code = qrcode.QRCode(version=1, error_correction=qrcode.constants.ERROR_CORRECT_L, border=0)
    code.add_data("fairs")
    code.make(fit=False)
    return code.get_matrix()


def draw(size: int, card: float) -> list[list[int]]:
    """Rows of RGB values: `card` is the white card's side as a share of the icon's."""
    modules = matrix()
    n = len(modules)
    side = round(size * card)
    start = (size - side) // 2
    radius = side * 0.12
    cell = side / (n + 2)  # one module of white around the code, inside the card
    rows = []
    for y in range(size):
        row: list[int] = []
        for x in range(size):
            colour = BRAND
            cx, cy = x - start, y - start
            if 0 <= cx < side and 0 <= cy < side and _in_rounded(cx, cy, side, radius):
                colour = WHITE
                mx, my = int(cx / cell) - 1, int(cy / cell) - 1
                if 0 <= mx < n and 0 <= my < n and modules[my][mx]:
                    colour = BRAND
            row.extend(colour)
        rows.append(row)
    return rows


def _in_rounded(x: float, y: float, side: float, r: float) -> bool:
    nx = min(max(x, r), side - r)
    ny = min(max(y, r), side - r)
    return (x - nx) ** 2 + (y - ny) ** 2 <= r * r


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    # "any" icons: a large card; the maskable one keeps the card inside the 80% safe circle
    # (a square of side s fits in a circle of diameter d when s * sqrt(2) <= d: s <= 0.56).
    for name, size, card in (("icon-192.png", 192, 0.72), ("icon-512.png", 512, 0.72),
                             ("icon-maskable-512.png", 512, 0.54)):
        with (OUT / name).open("wb") as fh:
            png.Writer(size, size, greyscale=False, compression=9).write(fh, draw(size, card))
        print(OUT / name)


if __name__ == "__main__":
    main()
