"""create_app(settings) -> Litestar: wiring only, no rules."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.plugins.problem_details import ProblemDetailsConfig, ProblemDetailsPlugin
from litestar.plugins.prometheus import PrometheusController
from litestar.static_files import create_static_files_router
from litestar.stores.memory import MemoryStore
from litestar.stores.registry import StoreRegistry
from litestar.template.config import TemplateConfig

import fairs
from fairs import db, logs, metrics, openapi, pagecache, problems  # noqa: F401 - metrics registers the counters
from fairs.accounts.auth import (
    OWN_BEARER,
    SESSION_COOKIE,
    AuthMiddleware,
    FairsCSRFMiddleware,
    SessionConfig,
    bearer_only,
    csrf_config,
)
from fairs.accounts.sessions import origin_of
from fairs.checkin import channels as checkin_channels
from fairs.errors import FairsError
from fairs.headers import SecurityHeaders
from fairs.notify import worker as notify_worker
from fairs.ratelimit import RateLimiter
from fairs.settings import ROOT, Settings
from fairs.settings import settings as process_settings
from fairs.slices import connect_hooks, route_handlers
from fairs.tickets import retention
from fairs.web import (
    STATELESS,
    TEMPLATE_FILTERS,
    TEMPLATE_GLOBALS,
    FairsRequest,
    RequestStack,
    check_stateless,
)

log = logging.getLogger("fairs")


def metrics_controller(settings: Settings) -> type[PrometheusController]:
    class MetricsController(PrometheusController):
        """GET /metrics in Prometheus's text format, for FAIRS_METRICS_ALLOW's addresses or
        FAIRS_METRICS_TOKEN's bearer only."""

        path = "/metrics"
        include_in_schema = False
        guards = [metrics.metrics_guard(settings.metrics_allow, settings.metrics_token)]
        opt = {OWN_BEARER: True}  # the guard checks FAIRS_METRICS_TOKEN, not an API token

    return MetricsController


def _parse_forms_afresh() -> None:
    """Litestar memoises parsed form bodies (a functools.lru_cache of 1,024 entries keyed by the
    body): every distinct form an anonymous client posts (a login with a 9 MB username) would
    stay in memory, body and parsed values, until 1,024 others push it out. Forms are parsed
    afresh instead; the cache saved nothing (two posts rarely carry the same body)."""
    from litestar import _parsers
    from litestar._kwargs import extractors
    from litestar.connection import request

    parse = getattr(_parsers.parse_url_encoded_form_data, "__wrapped__", None)
    if parse is not None:
        extractors.parse_url_encoded_form_data = parse
        request.parse_url_encoded_form_data = parse


def _stores(settings: Settings) -> tuple[StoreRegistry, object | None]:
    if settings.redis_url:
        from litestar.stores.redis import RedisStore
        from redis.asyncio import Redis

        client = Redis.from_url(settings.redis_url)
        root = RedisStore(client, namespace="fairs", handle_client_shutdown=False)
        return StoreRegistry(default_factory=root.with_namespace), client
    return StoreRegistry(default_factory=lambda name: MemoryStore()), None


def create_app(settings: Settings | None = None) -> Litestar:
    # The process's one Settings (read once; what services read too). A test may build an app
    # with other settings: those wire that app (cookies, CSRF, limits), not the services.
    settings = settings or process_settings()
    connect_hooks()
    _parse_forms_afresh()
    logs.install()  # no codes, secrets or tokens in any log line, however uvicorn was started
    stores, redis_client = _stores(settings)
    pagecache.PAGES.clear()  # pages rendered from another app's database are not this one's
    engine = db.current_engine()

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        await db.start(engine, settings)
        # What start-up built (routes, catalogues, locale data) lives as long as the process:
        # out of the collector's sight, so that the collections a busy worker runs do not walk
        # it again and again.
        gc.collect()
        gc.freeze()
        try:
            # Job seekers' personal data erased on schedule (FAIRS_RETENTION_DAYS), one worker
            # at a time; FAIRS_PURGE_INTERVAL_HOURS=0 leaves it to `fairs purge` from cron.
            async with retention.scheduler(settings), notify_worker.scheduler(settings):
                yield
        finally:
            await db.stop(engine)
            if redis_client is not None:
                await redis_client.aclose()

    def configure_jinja(jinja: JinjaTemplateEngine) -> None:
        jinja.engine.globals.update(TEMPLATE_GLOBALS)
        jinja.engine.filters.update(TEMPLATE_FILTERS)
        jinja.engine.globals["settings"] = settings
        jinja.engine.globals["version"] = fairs.__version__

    session_config = SessionConfig(
        key=SESSION_COOKIE,
        max_age=settings.session_max_age,
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
        store="sessions",
        csrf_secret=settings.secret_key,
    )

    problem_details = ProblemDetailsPlugin(
        ProblemDetailsConfig(
            enable_for_all_http_exceptions=True,
            exception_to_problem_detail_map={
                HTTPException: problems.from_http_exception,
                FairsError: problems.from_fairs_error,
                Exception: problems.from_unhandled,
            },
        )
    )

    app = Litestar(
        route_handlers=[
            *route_handlers(),
            metrics_controller(settings),
            create_static_files_router(path="/static", directories=[ROOT / "static"],
                                       include_in_schema=False, opt={STATELESS: True}),
        ],
        # Two layers on every route: the metrics, then the locale with the session, CSRF and
        # authentication layers inside it, which a STATELESS route (the health check, static
        # files) skips (fairs.web.RequestStack).
        middleware=[
            metrics.HTTPMetrics,
            DefineMiddleware(RequestStack, default=settings.default_locale,
                             shortcut=bearer_only, layers=(
                session_config.middleware,
                DefineMiddleware(FairsCSRFMiddleware,
                                 config=csrf_config(settings.secret_key, settings.cookie_secure),
                                 allowed_origin=origin_of(settings.base_url)),
                DefineMiddleware(AuthMiddleware),
            )),
        ],
        plugins=[problem_details, checkin_channels.plugin(redis_client)],
        stores=stores,
        state=State({
            "settings": settings,
            "engine": engine,
            "redis": redis_client,
            "limiter": RateLimiter.from_settings(settings, redis=redis_client),
        }),
        lifespan=[lifespan],
        before_request=problems.before_request,
        request_class=FairsRequest,
        template_config=TemplateConfig(
            directory=ROOT / "templates",
            engine=JinjaTemplateEngine,
            engine_callback=configure_jinja,
        ),
        openapi_config=OpenAPIConfig(
            title="fairs",
            version=fairs.__version__,
            description="Plan, run and count a public employment bureau's recruitment fairs. "
            "The stable contract is API.md; this schema documents the rest.",
            path="/schema",
            render_plugins=[ScalarRenderPlugin(), SwaggerRenderPlugin(path="/swagger")],
        ),
        # The health check's answer is a few bytes (never compressed): it skips the middleware.
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024,
                                             exclude=["/api/v1/fairs/.*/attendance/stream",
                                                      "^/api/v1/health"]),
        debug=False,
    )
    # Around everything, as Litestar wraps its own CORS middleware: route middleware does not run
    # for an unknown path's 404 or a 405, and those answers need the headers too.
    app.asgi_handler = SecurityHeaders(app.asgi_handler, production=settings.production)
    handlers = openapi.http_handlers(app)
    check_stateless(handler for _, handler in handlers)
    problems.mark_json_bodies(handler for _, handler in handlers)
    openapi.document_problems(handlers)
    return app
