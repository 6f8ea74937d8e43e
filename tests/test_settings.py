"""One Settings object, read once: services ask fairs.settings.settings(), nothing else reads the
environment (the database engine's own module and piccolo_conf aside), and tests override it."""

from __future__ import annotations

import ast
from pathlib import Path

from fairs import settings as settings_module
from fairs.calendar import services as calendar

ROOT = Path(__file__).resolve().parent.parent
# The database helper's modules read their own variables (issue 14, item 1); fairs/__init__.py
# only sets PICCOLO_CONF's default.
ALLOWED = {"fairs/settings.py", "fairs/piccolo_conf.py", "fairs/__init__.py", "fairs/db.py"}


def _reads_environ(path: Path) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and isinstance(
                node.value, ast.Name) and node.value.id == "os":
            lines.append(node.lineno)
    return lines


def test_no_environment_reads_outside_settings():
    found = []
    for path in sorted((ROOT / "fairs").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in ALLOWED or rel.startswith("fairs/db/"):
            continue
        found += [f"{rel}:{line}" for line in _reads_environ(path)]
    assert not found, found


def test_read_once_and_overridable(monkeypatch):
    first = settings_module.settings()
    assert settings_module.settings() is first
    # The environment changing later does not change the process's Settings ...
    monkeypatch.setenv("FAIRS_BASE_URL", "https://elsewhere.example")
    assert settings_module.settings().base_url == first.base_url
    assert calendar.base_url() == first.base_url
    # ... a test's override does, for every service, until the block ends.
    with settings_module.overridden(base_url="https://jobs.example.cn") as changed:
        assert changed.base_url == "https://jobs.example.cn"
        assert calendar.base_url() == "https://jobs.example.cn"
        assert calendar.feed_url(calendar.FeedFilter()).startswith("https://jobs.example.cn/")
    assert calendar.base_url() == first.base_url


def test_the_password_profile_is_a_setting(monkeypatch):
    monkeypatch.setenv("FAIRS_PASSWORD_PROFILE", "cheapest")
    assert settings_module.Settings.from_env().password_profile == "cheapest"
    monkeypatch.delenv("FAIRS_PASSWORD_PROFILE")
    assert settings_module.Settings.from_env().password_profile == ""
