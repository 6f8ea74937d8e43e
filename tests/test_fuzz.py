"""A fuzz run of the OpenAPI schema with schemathesis against a real server on the test database.

Every operation of `/schema/openapi.json` gets generated requests, valid by the schema
(positive) and not (negative), as three callers: anonymous, the organiser of xha and employer A
(bearer tokens), with the path's ids either drawn at random or pinned to real objects (the
permission matrix's world: fairs, a booking, a plan...), so that generated bodies reach the
services and not only the 404 of an unknown id. The checks: no 5xx, and every 4xx is
`application/problem+json` with its `status`, and for 400 and 422 an `errors` list.

FAIRS_FUZZ_EXAMPLES (default 6) sets the examples per operation, caller and mode;
FAIRS_FUZZ_RANDOM=1 draws new examples (the default is a fixed, reproducible sequence).
"""

from __future__ import annotations

import json
import os
import warnings

import pytest
import requests

from tests.browser.conftest import LiveServer
from tests.conftest import DEMO_PASSWORDS, make_client
from tests.test_permissions import build_world

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

EXAMPLES = int(os.environ.get("FAIRS_FUZZ_EXAMPLES", "6"))
RANDOM = os.environ.get("FAIRS_FUZZ_RANDOM") == "1"
# The live attendance stream never ends (the permission matrix and the scale-out test cover it).
SKIP = {("GET", "/api/v1/fairs/{fair_id}/attendance/stream")}


@pytest.fixture
async def fuzz_target(app, migrated):
    world = await build_world(app)
    async with make_client(app) as c:
        organiser = (await c.post("/api/v1/auth/tokens", json={
            "username": "organiser", "password": DEMO_PASSWORDS["organiser"],
            "name": "fuzz"})).json()["token"]
        employer = (await c.post("/api/v1/auth/tokens", json={
            "username": world["logins"]["employer"], "password": "employer-pass-1",
            "name": "fuzz"})).json()["token"]
    server = LiveServer()
    try:
        yield server, world, {
            "anonymous": {},
            "organiser": {"Authorization": f"Bearer {organiser}"},
            "employer": {"Authorization": f"Bearer {employer}"},
        }
    finally:
        server.stop()


def real_ids(world: dict) -> dict:
    """Path parameters pinned to real objects (token ids stay random: a fuzzed DELETE of the
    caller's own token would log it out)."""
    return {
        "fair_id": [world["fair_up"], world["fair_now"], world["fair_online"],
                    world["fair_draft"]],
        "booking_id": [world["booking"]], "plan_id": [world["plan"]],
        "employer_id": [world["employer_a"], world["employer_pending"]],
        "position_id": [world["position"], world["position_now"]],
        "slot_id": [world["slot_free"], world["slot_other"]],
        "slot_booking_id": [world["slot_booking"]], "no_show_id": [world["no_show"]],
        "session_id": [world["online_session"]], "venue_id": [world["venue"]],
        "channel_id": [world["channel"]], "code": [world["code"], world["code2"]],
        "secret": [world["secret"], world["secret2"]], "registration_id": [world["registration"]],
        "name": [f"{world['fair_up']}.ics", f"{world['feed']}.ics"],
        "service_id": [world["service"]], "user_id": [world["owner_user"]],
    }


def problems_of(case, response) -> list[str]:
    """What is wrong with an answer (a schemathesis Response: headers map to lists)."""
    status = response.status_code
    where = f"{case.method} {case.formatted_path} -> {status}"
    if status >= 500:
        return [f"{where}: a server error: {response.content[:300]!r}"]
    if status < 400:
        return []
    kind = ";".join(response.headers.get("content-type") or response.headers.get(
        "Content-Type") or [])
    if not kind.startswith("application/problem+json"):
        return [f"{where}: content-type {kind!r}, not application/problem+json"]
    body = json.loads(response.content)
    found = []
    if body.get("status") != status:
        found.append(f"{where}: problem status {body.get('status')!r}")
    if status in (400, 422) and not isinstance(body.get("errors"), list):
        found.append(f"{where}: no errors list")
    return found


def fuzz_operation(operation, base_url: str, callers: dict, ids: dict) -> list[str]:
    from schemathesis import GenerationMode

    names = [p.name for p in operation.path_parameters]
    pinned = {n: ids[n] for n in names if n in ids}
    failures: list[str] = []
    session = requests.Session()

    def strategy(mode):
        cases = operation.as_strategy(generation_mode=mode)
        if not pinned:
            return st.tuples(cases, st.just({}))
        real = st.fixed_dictionaries({n: st.sampled_from(v) for n, v in pinned.items()})
        return st.tuples(cases, st.one_of(st.just({}), real))

    def runner(mode, caller: str, headers: dict):
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  derandomize=not RANDOM, phases=(Phase.explicit, Phase.generate),
                  suppress_health_check=list(HealthCheck))
        @given(drawn=strategy(mode))
        def run(drawn):
            case, path_ids = drawn
            if path_ids and mode == GenerationMode.POSITIVE:
                case.path_parameters = {**(case.path_parameters or {}), **path_ids}
            response = case.call(base_url=base_url, session=session, headers=headers,
                                 timeout=30, allow_redirects=False)
            for problem in problems_of(case, response):
                failures.append(f"[{caller}, {mode.value}] {problem}\n    "
                                f"{case.as_curl_command(headers=headers)}")

        return run

    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
        for caller, headers in callers.items():
            try:
                runner(mode, caller, headers)()
            except Unsatisfiable:
                continue  # nothing to make invalid (no parameters, no body)
            except Exception as exc:  # noqa: BLE001 - a generation error is a finding too
                failures.append(f"[{caller}, {mode.value}] {operation.label}: "
                                f"{type(exc).__name__}: {str(exc)[:300]}")
    return failures


def test_fuzz_the_openapi_schema(fuzz_target):
    server, world, callers = fuzz_target
    schema = schemathesis.openapi.from_url(f"{server.url}/schema/openapi.json")
    ids = real_ids(world)
    failures: list[str] = []
    seen = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for result in schema.get_all_operations():
            operation = result.ok()
            if (operation.method.upper(), operation.path) in SKIP:
                continue
            seen += 1
            failures += fuzz_operation(operation, server.url, callers, ids)
    assert seen > 80  # the whole API, not a schema that failed to load
    unique = list(dict.fromkeys(failures))
    assert not unique, f"{len(unique)} findings:\n" + "\n".join(unique[:60])


# --- regression tests for what the fuzz run found -----------------------------------------------


async def test_ids_beyond_the_databases_integers_name_nothing(app, migrated):
    world = await build_world(app)
    async with make_client(app) as anyone:
        huge = 23733207234963236967564705792
        for path in (f"/api/v1/catalog/venues/{huge}", f"/api/v1/fairs/{2**31}",
                     f"/api/v1/fairs/{huge}/attendance", f"/calendar/fairs/{2**40}.ics"):
            answer = await anyone.get(path)
            assert answer.status_code == 404, (path, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")
        organiser = await make_client(app).login("organiser")
        try:
            for path in (f"/api/v1/plans/{huge}", f"/api/v1/bookings/{2**31}"):
                assert (await organiser.get(path)).status_code == 404
            copy = await organiser.post(f"/api/v1/fairs/{world['fair_draft2']}/booths/copy",
                                        json={"from": 1908892979285792768})
            assert copy.status_code == 400 and copy.json()["errors"][0]["field"] == "from"
            for query in ("employer=6838476867", "employer=-4450086266281925632"):
                answer = await organiser.get(f"/api/v1/no-shows?{query}")
                assert answer.status_code == 400, answer.text
                assert answer.json()["errors"][0]["field"] == "employer"
            assert (await organiser.get(f"/api/v1/fairs?offset={2**64}")).status_code == 400
            made = await organiser.post("/api/v1/fairs", json={
                "kind": "offline", "title": "t", "starts_at": "2030-01-01T09:00:00+08:00",
                "ends_at": "2030-01-01T12:00:00+08:00", "venue": 2**31})
            assert made.status_code == 400 and made.json()["errors"][0]["field"] == "venue"
        finally:
            await organiser.aclose()


async def test_nul_characters_are_refused_naming_the_field(app, migrated):
    world = await build_world(app)
    async with make_client(app) as organiser:
        await organiser.login("organiser")
        token = await organiser.post("/api/v1/auth/tokens", json={"name": "a\u0000b"})
        assert token.status_code == 422, token.text
        assert token.json()["errors"] == [{"field": "name", "code": "nul",
                                           "message": "不能包含 NUL 字符"}]
        found = await organiser.get("/api/v1/fairs", params={"q": "招聘\u0000"})
        assert found.status_code == 422 and found.json()["errors"][0]["field"] == "q"
        assert (await organiser.get("/api/v1/tickets/AB%00CD")).status_code == 404
        patched = await organiser.patch(f"/api/v1/fairs/{world['fair_up']}",
                                        json={"title": "x", "industries": ["soft\u0000"]})
        assert patched.status_code == 422
        assert patched.json()["errors"][0]["field"] == "industries[0]"
        # A backslash followed by "u0000" is text, not a NUL.
        fine = await organiser.patch(f"/api/v1/fairs/{world['fair_up']}",
                                     json={"title": "C:\\u0000 目录"})
        assert fine.status_code == 200 and fine.json()["title"] == "C:\\u0000 目录"
        form = await organiser.post("/login", data={"username": "a\u0000", "password": "x"})
        assert form.status_code == 422
    async with make_client(app) as employer:
        employer.headers["authorization"] = "Bearer " + (await employer.post(
            "/api/v1/auth/tokens", json={"username": world["logins"]["employer"],
                                         "password": "employer-pass-1", "name": "t"})
        ).json()["token"]
        position = await employer.post(f"/api/v1/slot-bookings/{world['slot_booking']}"
                                       "/positions", json={"title": "P\u0000", "headcount": 3})
        assert position.status_code == 422 and position.json()["errors"][0]["field"] == "title"
        interests = await employer.get(f"/api/v1/me/interests?offset={2**64}")
        assert interests.status_code == 400
        assert (await employer.get(f"/api/v1/me/interests?fair={2**40}")).status_code == 400


async def test_an_unreadable_sessions_csv_is_a_422(app, migrated):
    world = await build_world(app)
    async with make_client(app) as organiser:
        await organiser.login("organiser")
        answer = await organiser.post(
            f"/api/v1/fairs/{world['fair_online']}/online-sessions/import",
            json={"csv": "f\tj74\u00fa\r\u00dd-\u00e9\u00e0\n\u00bf4ph"})
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "file"


def test_a_refused_database_connection_is_a_503_not_a_500():
    """Found by bench_scaleout: four workers' pools past PostgreSQL's max_connections gave 500s.
    A refused connection is a moment of unavailability: 503 with Retry-After, as SQLite's
    "database is locked" is."""
    import asyncpg

    from fairs import problems

    for exc in (asyncpg.TooManyConnectionsError("sorry, too many clients already"),
                asyncpg.CannotConnectNowError("the database system is starting up")):
        answer = problems.from_unhandled(exc)
        assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert problems.from_unhandled(RuntimeError("a bug")).status_code == 500
