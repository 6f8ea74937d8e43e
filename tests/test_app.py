"""The service as a whole: health, problem details, OpenAPI, pages and languages, settings."""

from __future__ import annotations

import sqlite3

import pytest

from fairs import i18n
from fairs.settings import Settings


async def test_health_ok(client, migrated):
    response = await client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"


async def test_health_reports_a_stopped_database(app, client, tmp_path):
    """A database that cannot be reached makes the health check fail with 503."""
    from piccolo.engine.postgres import PostgresEngine

    from fairs.db import FairsSQLiteEngine

    good = app.state.engine
    # A PostgreSQL server that is not running (nothing listens on port 1), and a SQLite file
    # that cannot be opened (its directory is a file).
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    for dead in (PostgresEngine(config={"dsn": "postgresql://postgres@127.0.0.1:1/test"}),
                 FairsSQLiteEngine(path=str(blocker / "db.sqlite"))):
        app.state.engine = dead
        try:
            response = await client.get("/api/v1/health")
        finally:
            app.state.engine = good
        assert response.status_code == 503
        assert response.json()["status"] == "unhealthy"
        assert response.json()["checks"]["database"].startswith("error")


async def test_unknown_path_is_problem_json(client, migrated):
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_unknown_page_is_html(client, migrated):
    response = await client.get("/nothing-here", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


async def test_openapi_schema(client, migrated):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/auth/login" in schema["paths"]
    assert "/api/v1/catalog/industries" in schema["paths"]
    assert (await client.get("/schema")).status_code == 200


async def test_home_page_in_chinese_then_english(client, migrated):
    zh = await client.get("/")
    assert zh.status_code == 200
    assert '<html lang="zh-CN">' in zh.text and "查找招聘会" in zh.text
    en = await client.get("/?lang=en")
    assert '<html lang="en">' in en.text and "Find a recruitment fair" in en.text
    assert en.cookies.get("fairs_lang") == "en"
    # The choice sticks for the next page...
    assert "Find a recruitment fair" in (await client.get("/")).text
    client.cookies.clear()
    # ... and a browser asking for English gets English.
    accept = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert "Find a recruitment fair" in accept.text
    accept = await client.get("/", headers={"accept-language": "fr, zh-TW;q=0.5"})
    assert "查找招聘会" in accept.text


async def test_static_files_are_served_locally(client, migrated):
    response = await client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200 and len(response.content) > 10_000
    page = (await client.get("/")).text
    assert "https://" not in page.split("<body")[0]  # nothing from a CDN


async def test_a_favicon_for_every_page(client, migrated):
    """Browsers ask /favicon.ico of every site (a 404 logged on every first visit before)."""
    icon = await client.get("/favicon.ico")
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/vnd.microsoft.icon")
    assert icon.content[:4] == b"\x00\x00\x01\x00"  # an ICO file (its images are PNGs)
    home = await client.get("/")
    assert 'rel="icon" href="/static/img/favicon.svg"' in home.text
    svg = await client.get("/static/img/favicon.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")


def test_the_licence_is_an_spdx_string():
    """setuptools deprecates `license = {text = ...}` (a warning on every install)."""
    import tomllib
    from pathlib import Path

    project = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
    assert project["project"]["license"] == "MIT"
    assert any(r.startswith("setuptools>=77") for r in project["build-system"]["requires"])


def test_every_message_has_a_chinese_translation():
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as fh:
        template = read_po(fh)
    with (i18n.LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        zh = read_po(fh, locale="zh_CN")
    missing = [m.id for m in template if m.id and not (zh.get(m.id) and zh.get(m.id).string)]
    assert not missing, f"run scripts/messages.py and translate: {missing}"


def test_catalogue_is_up_to_date_with_the_code(tmp_path):
    """Every marked string in code and templates is in messages.pot (scripts/messages.py)."""
    import subprocess
    import sys

    from babel.messages.pofile import read_po

    from fairs.settings import ROOT

    out = tmp_path / "now.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "N_", "--no-location",
         "-o", str(out), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    with out.open("rb") as fh:
        now = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as fh:
        kept = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    assert now <= kept, f"run scripts/messages.py: {sorted(now - kept)}"


def test_secret_key_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("FAIRS_SECRET_KEY", raising=False)
    monkeypatch.setenv("FAIRS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("FAIRS_ENV", "development")
    first = Settings.from_env().secret_key
    assert len(first) >= 32 and (tmp_path / "secret_key").read_text().strip() == first
    assert Settings.from_env().secret_key == first


def test_production_needs_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("FAIRS_SECRET_KEY", raising=False)
    monkeypatch.setenv("FAIRS_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("FAIRS_ENV", "production")
    with pytest.raises(RuntimeError, match="FAIRS_SECRET_KEY"):
        Settings.from_env()
    monkeypatch.setenv("FAIRS_SECRET_KEY", "k" * 40)
    assert Settings.from_env().cookie_secure is True


def test_database_urls():
    from piccolo.engine.postgres import PostgresEngine

    from fairs.db import FairsSQLiteEngine, engine_from_url

    assert engine_from_url("sqlite:///var/x.db").path == "var/x.db"
    assert engine_from_url("sqlite:////tmp/x.db").path == "/tmp/x.db"
    assert isinstance(engine_from_url("sqlite:///var/x.db"), FairsSQLiteEngine)
    assert isinstance(engine_from_url("postgresql://postgres@127.0.0.1:5432/test"),
                      PostgresEngine)
    with pytest.raises(ValueError):
        engine_from_url("mysql://x")


@pytest.mark.parametrize("inline", [True, False])
async def test_sqlite_writes_share_a_commit_but_fail_alone(tmp_path, inline, monkeypatch):
    """Concurrent sqlite_write jobs (check-ins at the door) share one commit; a job that fails
    is undone alone and its caller alone gets the error."""
    import asyncio

    from piccolo.querystring import QueryString

    from fairs import db
    from fairs.db import FairsSQLiteEngine, sqlite_write

    transactions: list[int] = []
    run_batch = db._run_batch

    def counted(raw, jobs):
        transactions.append(len(jobs))
        return run_batch(raw, jobs)

    monkeypatch.setattr(db.batch, "_run_batch", counted)

    engine = FairsSQLiteEngine(path=str(tmp_path / "t.db"), inline=inline)

    def put(value: str, fail: bool = False):
        def job(conn):
            conn.execute("INSERT INTO t (v) VALUES (?)", (value,))
            if fail:
                raise ValueError(f"no {value}")
            return conn.execute("SELECT COUNT(*) AS n FROM t").fetchall()[0]["n"]
        return job

    try:
        await engine.run_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
        answers = await asyncio.gather(
            sqlite_write(put("a"), engine), sqlite_write(put("b", fail=True), engine),
            sqlite_write(put("c"), engine), sqlite_write(put("a"), engine),
            return_exceptions=True)
        assert answers[0] == 1 and answers[2] == 2
        assert isinstance(answers[1], ValueError) and str(answers[1]) == "no b"
        assert isinstance(answers[3], sqlite3.IntegrityError)
        rows = await engine.run_querystring(QueryString("SELECT v FROM t ORDER BY v"))
        assert [r["v"] for r in rows] == ["a", "c"]
        assert transactions == [4]  # four writes, one BEGIN IMMEDIATE ... COMMIT
        assert await sqlite_write(put("d"), engine) == 3  # the writer is free again
    finally:
        await engine.close()


async def test_sqlite_engine_runs_wal_and_one_writer(tmp_path):
    """The SQLite engine keeps WAL mode and rolls a failed transaction back whole."""
    from piccolo.querystring import QueryString

    from fairs import db
    from fairs.db import FairsSQLiteEngine

    engine = FairsSQLiteEngine(path=str(tmp_path / "t.db"))
    try:
        await engine.run_ddl("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)")
        mode = await engine.run_querystring(QueryString("PRAGMA journal_mode"))
        assert mode[0]["journal_mode"] == "wal"
        with pytest.raises(sqlite3.IntegrityError):
            async with engine.transaction():
                await engine.run_querystring(QueryString("INSERT INTO t (v) VALUES ({})", "a"))
                await engine.run_querystring(QueryString("INSERT INTO t (v) VALUES ({})", "a"))
        rows = await engine.run_querystring(QueryString("SELECT COUNT(*) AS n FROM t"))
        assert rows[0]["n"] == 0
        # A WITH that writes goes to the writer, not to a read-only reader connection.
        made = await db.write("WITH x AS (SELECT {} AS v) INSERT INTO t (v) SELECT v FROM x "
                              "RETURNING id", "b", engine=engine)
        assert made and (await db.fetch("SELECT v FROM t", engine=engine)) == [{"v": "b"}]
    finally:
        await engine.close()


async def test_metrics_in_prometheus_format(client, migrated):
    await client.get("/api/v1/catalog/industries")
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert "fairs_requests_total" in text
    assert 'path="/api/v1/catalog/industries"' in text
    assert "fairs_request_duration_seconds_bucket" in text
    assert "# TYPE fairs_admissions_total counter" in text


async def test_batcher_coalesces_calls_and_fails_them_alone(client):
    """fairs.db.Batcher: calls made together share one run; a run that fails is retried item by
    item, so only the bad item's caller gets the error, and the others their own answers."""
    import asyncio

    from fairs import db

    runs: list[list[str]] = []

    async def run(items: list[str]) -> list[str]:
        runs.append(list(items))
        await asyncio.sleep(0.01)
        if "bad" in items:
            raise ValueError("a bad item")
        return [item.upper() for item in items]

    batcher = db.Batcher(run)
    answers = await asyncio.gather(*(batcher(x) for x in ("a", "b", "bad", "c")),
                                   return_exceptions=True)
    assert answers[:2] == ["A", "B"] and answers[3] == "C"
    assert isinstance(answers[2], ValueError)
    assert runs[0] == ["a", "b", "bad", "c"]
    assert sorted(runs[1:]) == [["a"], ["b"], ["bad"], ["c"]]
    # Calls that arrive while a run is in flight form the next batch.
    runs.clear()
    first = asyncio.ensure_future(batcher("x"))
    await asyncio.sleep(0.003)
    later = await asyncio.gather(*(batcher(x) for x in ("y", "z")))
    assert await first == "X" and later == ["Y", "Z"]
    assert runs == [["x"], ["y", "z"]]


async def test_a_flood_of_health_checks_costs_one_database_probe(client, migrated, monkeypatch):
    """Anyone may call the health check: a thousand calls at once (or a load balancer's every
    few milliseconds) probe the database once, and again only when the answer is a second old."""
    import asyncio

    from fairs import site

    calls = []
    real = site.check_database

    async def counted(engine=None, wait=3.0):
        calls.append(engine)
        await asyncio.sleep(0.05)  # a probe that takes a while: the others wait for it
        return await real(engine, wait)

    monkeypatch.setattr(site, "check_database", counted)
    monkeypatch.setattr(site, "_probe", site._Probe())
    answers = await asyncio.gather(*(client.get("/api/v1/health") for _ in range(200)))
    assert {a.status_code for a in answers} == {200}
    assert len(calls) == 1
    assert (await client.get("/api/v1/health")).status_code == 200
    assert len(calls) == 1
    await asyncio.sleep(site.HEALTH_TTL + 0.05)
    assert (await client.get("/api/v1/health")).status_code == 200
    assert len(calls) == 2
