"""The floor the page and stack benchmarks compare with: a bare Litestar app (no middleware,
no database), one GET route answering a short text, served by the same uvicorn in the same
run. `uvicorn --factory bench._bare:create_app`."""

from __future__ import annotations

from litestar import Litestar, get


@get("/bare", media_type="text/plain", sync_to_thread=False)
def bare() -> str:
    return "ok"


def create_app() -> Litestar:
    return Litestar(route_handlers=[bare], debug=False)
