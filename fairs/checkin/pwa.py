"""The door scanner as an installable web app: its service worker's source (static/js/sw.js with
the version and the precache list filled in) and its web app manifest. Pure: files and text, no
database and no HTTP."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from fairs import i18n
from fairs.i18n import N_
from fairs.settings import ROOT

STATIC = ROOT / "static"

# What the scanner page loads (base.html's stylesheet, htmx and favicon, the decoder, the
# scanner's module) and the icons its manifest names: precached by the worker, so the page
# opens offline.
PRECACHE = (
    "/static/css/app.css",
    "/static/vendor/htmx/htmx.min.js",
    "/static/js/confirm.js",  # every page (base.html): confirmation before destructive actions
    "/static/vendor/jsqr/jsQR.js",
    "/static/js/scanner.js",
    "/static/img/favicon.svg",
    "/static/img/icon-192.png",
    "/static/img/icon-512.png",
    "/static/img/icon-maskable-512.png",
)
THEME = "#b3261e"  # --brand in static/css/app.css
APP_NAME = "签到扫码 · Door scanner"
SHORT_NAME = "签到扫码"
DESCRIPTION = N_("Scan tickets at the door, also with no network: scans wait on this device "
                 "and are sent when the network returns.")


def static_version(root: Path = STATIC) -> str:
    """A hash of every file under /static (names and contents): what a deploy changes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def service_worker() -> tuple[str, str]:
    """(the worker's source, its version), made once per process."""
    version = static_version()
    source = (STATIC / "js" / "sw.js").read_text(encoding="utf-8")
    source = source.replace('"__VERSION__"', json.dumps(version), 1)
    source = source.replace("__PRECACHE__", json.dumps(list(PRECACHE)), 1)
    return source, version


def manifest(fair: dict, locale: str) -> dict:
    """The web app manifest of one fair's scanner: installed, it opens that fair's scanner page
    on its own, without the browser's bars. The name is Chinese with the English after it."""
    start = f"/scan/{fair['id']}"
    return {
        "id": start,
        "name": f"{APP_NAME} · {fair['title']}",
        "short_name": SHORT_NAME,
        "description": i18n.gettext(DESCRIPTION),
        "lang": "zh-CN" if locale == "zh_CN" else "en",
        "start_url": start,
        "scope": "/scan/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            {"src": "/static/img/icon-192.png", "sizes": "192x192", "type": "image/png",
             "purpose": "any"},
            {"src": "/static/img/icon-512.png", "sizes": "512x512", "type": "image/png",
             "purpose": "any"},
            {"src": "/static/img/icon-maskable-512.png", "sizes": "512x512",
             "type": "image/png", "purpose": "maskable"},
        ],
    }
