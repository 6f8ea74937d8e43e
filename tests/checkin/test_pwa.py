"""The door scanner as an installable web app (its manifest, its icons and its service worker,
versioned by the static files), and the wall's screen view and tiles per kind of fair."""

from __future__ import annotations

import re
import shutil
import struct

from fairs.checkin import pwa
from tests.conftest import login_as
from tests.security.test_web import assert_secured
from tests.test_accounts import problem
from tests.tickets.helpers import make_fair, when

HTML = {"accept": "text/html"}


async def test_service_worker_is_served_at_the_root_with_its_version(new_client, world):
    anon = new_client()
    response = await anon.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"  # a deploy's worker is seen at once
    assert_secured(response)
    source, version = pwa.service_worker()
    assert version == pwa.static_version() and len(version) == 16
    assert response.text == source
    assert f'const VERSION = "{version}";' in source
    assert "__VERSION__" not in source and "__PRECACHE__" not in source
    for url in pwa.PRECACHE:
        assert f'"{url}"' in source
    assert response.headers["etag"] == f'"{version}"'
    again = await anon.get("/sw.js", headers={"if-none-match": f'"{version}"'})
    assert again.status_code == 304 and again.content == b""


def test_the_version_changes_with_any_static_file(tmp_path):
    copy = tmp_path / "static"
    shutil.copytree(pwa.STATIC, copy)
    first = pwa.static_version(copy)
    assert first == pwa.static_version(pwa.STATIC)
    (copy / "js" / "scanner.js").write_text((copy / "js" / "scanner.js").read_text() + "\n")
    second = pwa.static_version(copy)
    assert second != first
    (copy / "img" / "new.png").write_bytes(b"x")
    assert pwa.static_version(copy) not in (first, second)


async def test_precache_holds_everything_the_scanner_page_loads(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    page = await scanner.get(f"/scan/{fair['id']}", headers=HTML)
    assert page.status_code == 200
    loaded = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text))
    assert {"/static/js/scanner.js", "/static/vendor/jsqr/jsQR.js",
            "/static/css/app.css"} <= loaded
    assert loaded <= set(pwa.PRECACHE), loaded - set(pwa.PRECACHE)
    for url in pwa.PRECACHE:
        assert (await scanner.get(url)).status_code == 200, url
    link = (f'<link rel="manifest" href="/scan/{fair["id"]}/manifest.webmanifest" '
            'crossorigin="use-credentials">')
    assert link in page.text


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


async def test_manifest_installs_the_fairs_scanner(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world, title="西海岸春季招聘会")
    url = f"/scan/{fair['id']}/manifest.webmanifest"
    response = await scanner.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    body = response.json()
    assert body["start_url"] == f"/scan/{fair['id']}" and body["display"] == "standalone"
    assert body["scope"] == "/scan/"
    assert body["name"].startswith("签到扫码") and "Door scanner" in body["name"]
    assert "西海岸春季招聘会" in body["name"] and body["short_name"] == "签到扫码"
    assert body["lang"] == "zh-CN" and "扫码" in body["description"]
    sizes = {}
    for icon in body["icons"]:
        image = await scanner.get(icon["src"])
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        width, height = png_size(image.content)
        assert icon["sizes"] == f"{width}x{height}"
        sizes.setdefault(icon["purpose"], set()).add(width)
    assert sizes == {"any": {192, 512}, "maskable": {512}}
    english = (await scanner.get(url + "?lang=en")).json()
    assert english["lang"] == "en" and "no network" in english["description"]
    # The session decides, as for the page: nobody else learns of a draft through it.
    problem(await new_client().get(url), 401)
    problem(await scanner.get("/scan/999999/manifest.webmanifest"), 404)


async def test_manifest_of_another_organisations_fair_is_refused(new_client, world):
    jiaozhou = await login_as(new_client, "jiaozhou")
    other = await make_fair(jiaozhou, world, venue="胶州市人力资源市场")
    scanner = await login_as(new_client, "scanner")  # of 西海岸新区 (xha), not 胶州
    problem(await scanner.get(f"/scan/{other['id']}/manifest.webmanifest"), 403)


def tiles(html: str) -> list[str]:
    return re.findall(r'<dd data-key="([a-z_]+)"', html)


async def test_wall_tiles_follow_the_kind_of_fair(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    offline = await make_fair(organiser, world)
    online = (await organiser.post("/api/v1/fairs", json={
        "kind": "online", "title": "职海冲浪·直播带岗", "starts_at": when(-60),
        "ends_at": when(60), "channel": world["channel:职海冲浪"]})).json()
    assert (await organiser.post(f"/api/v1/fairs/{online['id']}/publish")).status_code == 200
    hall = await scanner.get(f"/wall/{offline['id']}", headers=HTML)
    assert tiles(hall.text) == ["checked_in", "registered", "walk_ins", "employers_present"]
    assert "直播观看人次" not in hall.text and "wall-qr" in hall.text
    stream = await scanner.get(f"/wall/{online['id']}", headers=HTML)
    assert tiles(stream.text) == ["registered", "online_viewers", "online_peak"]
    assert "直播观看人次" in stream.text and "最高同时在线" in stream.text
    assert "进场求职人数" not in stream.text
    # An online fair has no door: no self check-in code on its wall.
    assert "wall-qr" not in stream.text
    english = await scanner.get(f"/wall/{online['id']}?lang=en", headers=HTML)
    assert "Livestream views" in english.text and "Peak viewers" in english.text


async def test_wall_screen_view_has_no_site_navigation(new_client, world):
    organiser = await login_as(new_client, "organiser")
    scanner = await login_as(new_client, "scanner")
    fair = await make_fair(organiser, world)
    normal = await scanner.get(f"/wall/{fair['id']}", headers=HTML)
    assert '<header class="site">' in normal.text and '<footer class="site">' in normal.text
    assert f'href="/wall/{fair["id"]}?kiosk=1"' in normal.text
    for lang, label in (("zh_CN", "全屏"), ("en", "Full screen")):
        kiosk = await scanner.get(f"/wall/{fair['id']}?kiosk=1&lang={lang}", headers=HTML)
        assert kiosk.status_code == 200
        assert '<body class="kiosk">' in kiosk.text
        assert "<nav" not in kiosk.text and '<footer class="site">' not in kiosk.text
        assert 'action="/logout"' not in kiosk.text
        assert label in kiosk.text and "wall-qr" in kiosk.text
        assert tiles(kiosk.text) == tiles(normal.text)
    bad = problem(await scanner.get(f"/wall/{fair['id']}?kiosk=maybe"), 400)
    assert "kiosk" in str(bad)
