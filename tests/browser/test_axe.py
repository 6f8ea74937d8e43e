"""No serious or critical accessibility fault on any page, by axe-core (vendored in
static/vendor/axe-core/): every page a crawl from the home page reaches as a visitor, as the demo
organiser and as a demo employer, in Chinese and English, on a desktop and on a phone.

The crawl follows same-site links (GET only) and counts a kind of page once (/fairs/1 and /fairs/2
are one kind); it leaves out logging out, downloads, feeds and the API. axe is added from the
service's own static files, so the pages keep their Content-Security-Policy while checked (no
bypass_csp: what axe sees is what a reader gets). On the phone, table cells are also measured: no
run of text may be broken after every character (Chinese may break between any two characters).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest

from tests.conftest import DEMO_PASSWORDS

pytestmark = pytest.mark.browser

AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
EMPLOYER_PASSWORD = "employer-demo-2026"  # fairs/employers/demo.py
LOGINS = {
    "visitor": None,
    "organiser": ("organiser", DEMO_PASSWORDS["organiser"]),
    "employer": None,  # the demo employer with the most booths booked at coming fairs
}
LANGS = ("zh-CN", "en")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
MAX_KINDS = 80  # kinds of page per role: the demo has about forty
SAMPLES_PER_KIND = 4  # pages of one kind read for their links
MAX_VISITS = 250
SKIP_PREFIXES = ("/logout", "/api/", "/static/", "/schema", "/metrics", "/sw.js", "/favicon")
SKIP_SUFFIXES = (".ics", ".xlsx", ".csv", ".png", ".svg", ".jpg", ".pdf", ".json", ".xml",
                 ".webmanifest", ".js", ".txt")
SKIP_WORDS = ("/feed", "export", "download", "/qr.")


def kind_of(path: str, query: str) -> str:
    """/fairs/12?month=2026-12 and /fairs/3?month=2027-01 are one kind of page."""
    parts = []
    for seg in path.split("/"):
        if seg.isdigit():
            seg = "{n}"
        elif len(seg) >= 12 and re.fullmatch(r"[A-Za-z0-9_-]+", seg) and re.search(r"\d", seg):
            seg = "{code}"
        parts.append(seg)
    keys = sorted({k for k, _ in parse_qsl(query, keep_blank_values=True) if k != "lang"})
    return "/".join(parts) + ("?" + "&".join(keys) if keys else "")


def followable(base: str, here: str, href: str) -> str | None:
    """The absolute URL of a link on the page at `here` the crawl may follow, or None."""
    url = urljoin(here, href.split("#")[0])
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != base or not parts.path:
        return None
    path = parts.path
    if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
        return None
    if any(w in path for w in SKIP_WORDS) or "lang=" in parts.query:
        return None
    return url


async def load_demo() -> tuple[str, str]:
    """The whole demo; answers the login of the employer with the most booths booked at coming
    fairs (emp01 is left free to book), so that its pages show bookings and positions."""
    from collections import Counter
    from importlib import import_module

    from fairs import clock, demo
    from fairs.booths.tables import Booking

    ctx = demo.DemoContext()
    for name in demo.DEMO_STEPS:
        await import_module(name).load(ctx)
    rows = await Booking.select(Booking.employer).where(
        (Booking.status == "confirmed") & (Booking.fair.starts_at > clock.now()))
    busiest = Counter(r["employer"] for r in rows).most_common(1)[0][0]
    number = next(k for k, v in ctx.ids.items() if k.startswith("employer:") and v == busiest)
    return f"emp{number.split(':')[1]}", EMPLOYER_PASSWORD


async def log_in(context, base: str, role: str, employer: tuple[str, str]) -> None:
    if role == "visitor":
        return
    username, password = LOGINS[role] or employer
    page = await context.new_page()
    await page.goto(f"{base}/login")
    await page.fill("input[name=username]", username)
    await page.fill("input[name=password]", password)
    async with page.expect_navigation():
        await page.click("form[action='/login'] button[type=submit]")
    assert "/login" not in page.url, f"{username} could not log in"
    await page.close()


async def crawl(context, base: str) -> tuple[list[str], list[str]]:
    """Every kind of page reachable from the home page: (one URL per kind, pages that failed).
    A few pages of each kind are read (one fair's page may link to its guest slots, another's
    to its booths); the fullest of them (most elements: a fair with bookings rather than an
    empty one) is the one checked."""
    page = await context.new_page()
    visits: dict[str, int] = {kind_of("/", ""): 1}  # kind -> pages of that kind queued
    fullest: dict[str, tuple[int, str]] = {}  # kind -> (elements, URL)
    queue, failed = [f"{base}/"], []
    queued = set(queue)
    while queue and len(fullest) < MAX_KINDS and sum(visits.values()) < MAX_VISITS:
        url = queue.pop(0)
        response = await page.goto(url, wait_until="load")
        status = response.status if response else 0
        if status >= 500 or "text/html" not in (response.headers.get("content-type", "")
                                                  if response else ""):
            failed.append(f"{status} {url}")
            continue
        here = urlsplit(page.url)
        kind = kind_of(here.path, here.query)
        size = await page.evaluate("document.getElementsByTagName('*').length")
        if kind not in fullest or size > fullest[kind][0]:
            fullest[kind] = (size, page.url)
        hrefs = await page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(a => a.getAttribute('href'))")
        for href in hrefs:
            target = followable(base, page.url, href)
            if target is None:
                continue
            parts = urlsplit(target)
            kind = kind_of(parts.path, parts.query)
            if visits.get(kind, 0) < SAMPLES_PER_KIND and target not in queued:
                visits[kind] = visits.get(kind, 0) + 1
                queued.add(target)
                queue.append(target)
    await page.close()
    return [url for _, url in fullest.values()], failed


async def axe_faults(page, url: str) -> list[str]:
    """The serious and critical violations axe finds on one page, one line per element."""
    await page.goto(url, wait_until="load")
    await page.add_script_tag(url=AXE_URL)
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", AXE_TAGS)
    faults = []
    for v in result["violations"]:
        if v["impact"] not in ("serious", "critical"):
            continue
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").strip().splitlines()
            faults.append(f"{v['id']} ({v['impact']}) {url} {target}: "
                          f"{summary[-1].strip() if summary else v['help']}")
    return faults


# Table cells whose text the phone's narrow table breaks after every character: for each run of
# text, its visible characters over the lines it takes.
SQUEEZED_CELLS = """() => {
  const hidden = 'select, option, textarea, script, style, [hidden], .sr-only, .sr';
  const out = [];
  for (const cell of document.querySelectorAll('main th, main td')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const chars = n.textContent.replace(/\\s/g, '').length;
      if (chars < 3 || n.parentElement.closest(hidden)) continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const rects = [...range.getClientRects()].filter(r => r.width > 0);
      const lines = new Set(rects.map(r => Math.round(r.top))).size;
      if (lines > 1 && chars / lines < 2) {
        out.push(`${cell.tagName.toLowerCase()} "${n.textContent.trim().slice(0, 20)}"`
                 + ` in ${lines} lines`);
        break;
      }
    }
  }
  return out;
}"""


async def squeezed_cells(page) -> list[str]:
    return await page.evaluate(SQUEEZED_CELLS)


@pytest.mark.parametrize("role", list(LOGINS))
async def test_no_serious_accessibility_fault(browser, live_server, migrated, role):
    base = live_server.url
    employer = await load_demo()
    context = await browser.new_context(locale="zh-CN", viewport=VIEWPORTS["desktop"])
    context.set_default_timeout(20_000)
    await log_in(context, base, role, employer)
    urls, failed = await crawl(context, base)
    state = await context.storage_state()
    await context.close()
    assert failed == [], failed
    assert len(urls) >= 5, urls  # the crawl got somewhere

    faults: list[str] = []
    for lang in LANGS:
        for name, viewport in VIEWPORTS.items():
            ctx = await browser.new_context(locale=lang, viewport=viewport,
                                            is_mobile=name == "phone", storage_state=state,
                                            extra_http_headers={"Accept-Language": lang})
            ctx.set_default_timeout(20_000)
            page = await ctx.new_page()
            try:
                for url in urls:
                    for fault in await axe_faults(page, url):
                        faults.append(f"[{role} {lang} {name}] {fault}")
                    if name == "phone":
                        for cell in await squeezed_cells(page):
                            faults.append(f"[{role} {lang} {name}] squeezed cell {url} {cell}")
            finally:
                await ctx.close()
    print(f"{role}: {len(urls)} kinds of page:", *urls, sep="\n  ")
    assert faults == [], "\n".join(faults)


async def test_plan_tables_on_a_phone_keep_more_than_a_character_a_line(browser, live_server,
                                                                        migrated):
    """The plan's tables at 390 px: a cell's words are not broken after every character (the
    table scrolls sideways instead, in a region the keyboard reaches)."""
    base = live_server.url
    employer = await load_demo()
    context = await browser.new_context(locale="zh-CN", viewport=VIEWPORTS["phone"],
                                        is_mobile=True)
    context.set_default_timeout(20_000)
    await log_in(context, base, "organiser", employer)
    page = await context.new_page()
    try:
        await page.goto(f"{base}/organiser/plans")
        href = await page.locator("table.plans a[href^='/organiser/plans/']").first.get_attribute(
            "href")
        await page.goto(base + href)
        assert await page.locator("table.targets").is_visible()
        assert await squeezed_cells(page) == []
        for wrap in await page.locator(".table-wrap").all():
            scrolls = await wrap.evaluate("w => w.scrollWidth > w.clientWidth")
            if scrolls:  # a keyboard can reach and scroll it
                assert await wrap.get_attribute("tabindex") == "0"
                assert await wrap.get_attribute("role") == "region"
                assert await wrap.get_attribute("aria-label")
    finally:
        await context.close()
