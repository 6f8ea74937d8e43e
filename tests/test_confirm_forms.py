"""Every destructive or bulk action in the pages asks first (issue 15): each form that cancels,
deletes, removes, rejects, deactivates, annuls, replaces or publishes in bulk carries the
question static/js/confirm.js asks (data-confirm, a translated text), and the script is on every
page. A new such form without it fails here."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
DESTRUCTIVE = re.compile(r"/(cancel|delete|reject|deactivate|annul|renew|copy)\b|"
                         r"/plans/[^\"]*/publish|/booths\"")
FORM = re.compile(r"<form\b[^>]*>", re.S)


def test_destructive_forms_ask_first():
    found, missing = [], []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for tag in FORM.findall(path.read_text(encoding="utf-8")):
            action = re.search(r'action="([^"]*)"', tag)
            if not action or not DESTRUCTIVE.search(action.group(1) + '"'):
                continue
            found.append((path.name, action.group(1)))
            if not re.search(r'data-confirm="\{\{ _\(', tag):
                missing.append((path.name, action.group(1)))
    assert len(found) >= 14, found  # bookings, slots, drafts, fairs, plans, orgs, layouts...
    assert not missing, missing


def test_the_script_is_on_every_page():
    base = (TEMPLATES / "base.html").read_text(encoding="utf-8")
    assert '<script type="module" src="/static/js/confirm.js"></script>' in base
    assert "<script>" not in base  # no inline script (the CSP forbids it)
