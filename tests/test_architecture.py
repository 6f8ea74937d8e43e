"""The shape DESIGN.md (sections 1 and 9) asks for, checked on the source: every module imports,
no import cycle between modules or between slices (imports at the top and inside functions both
count), and api/pages never reach past the services to the tables."""

from __future__ import annotations

import ast
import importlib
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "fairs"

# Known exceptions, each naming the cycle it allows (none now: add one only with a reason and
# the issue that removes it).
KNOWN_MODULE_CYCLES: list[set[str]] = []
KNOWN_SLICE_CYCLES: list[set[str]] = []


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if "piccolo_migrations" in parts:
            continue
        is_package = parts[-1] == "__init__"
        if is_package:
            parts = parts[:-1]
        found[".".join(parts)] = (path, is_package)
    return found


MODULES = _modules()


def _owner(name: str) -> str:
    """The module that `name` (a module, or a name inside one) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name


def _imports(module: str) -> dict[str, int]:
    """The app's modules `module` imports, anywhere in it (top level or in a function), with
    the line of the first such import."""
    path, is_package = MODULES[module]
    package = module if is_package else module.rpartition(".")[0]
    out: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [_owner(a.name) for a in node.names if a.name.startswith("fairs")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            if source == "fairs" or source.startswith("fairs."):
                for alias in node.names:
                    full = f"{source}.{alias.name}"
                    targets.append(full if full in MODULES else _owner(source))
        for target in targets:
            if target and target not in (module, "fairs"):
                out.setdefault(target, node.lineno)
    return out


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles(graph: dict[str, set[str] | dict[str, int]]) -> list[set[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    counter = itertools.count()

    def visit(v: str) -> None:
        index[v] = low[v] = next(counter)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(component)

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _slice(module: str) -> str | None:
    """The slice (fairs/<slice>/) a module belongs to, or None for the shared modules."""
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and MODULES[module][1]):
        return parts[1]
    return None


def _explain(component: set[str], graph) -> str:
    return "; ".join(f"{a} -> {b}" + (f" (line {graph[a][b]})" if isinstance(graph[a], dict)
                                      else "")
                     for a in sorted(component) for b in sorted(graph[a]) if b in component)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_imports(module):
    importlib.import_module(module)


def test_no_import_cycle_between_modules():
    cycles = [c for c in _cycles(GRAPH) if c not in KNOWN_MODULE_CYCLES]
    assert not cycles, "import cycles: " + " | ".join(_explain(c, GRAPH) for c in cycles)


def test_no_import_cycle_between_slices():
    slices: dict[str, dict[str, int]] = {}
    why: dict[tuple[str, str], str] = {}
    for module, targets in GRAPH.items():
        a = _slice(module)
        for target in targets:
            b = _slice(target)
            if a and b and a != b:
                slices.setdefault(a, {}).setdefault(b, 0)
                why.setdefault((a, b), f"{module} -> {target}")
    cycles = [c for c in _cycles(slices) if c not in KNOWN_SLICE_CYCLES]
    assert not cycles, "slice cycles: " + " | ".join(
        ", ".join(why[(a, b)] for a in sorted(c) for b in sorted(c) if (a, b) in why)
        for c in cycles)


def test_api_and_pages_go_through_services():
    """DESIGN 1: `api`/`pages` -> `services` -> `tables`, never a shortcut to the tables."""
    shortcuts = [f"{m} -> {t} (line {line})" for m, targets in sorted(GRAPH.items())
                 if m.rpartition(".")[2] in ("api", "pages")
                 for t, line in sorted(targets.items()) if t.rpartition(".")[2] == "tables"]
    assert not shortcuts, shortcuts


def test_services_know_nothing_of_http():
    """DESIGN 1: a service never imports Litestar (the same rule serves API, pages, CLI)."""
    offenders = []
    for module, (path, _) in sorted(MODULES.items()):
        if module.rpartition(".")[2] != "services":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{module}: {n}" for n in names if n.split(".")[0] == "litestar"]
    assert not offenders, offenders


def test_employers_do_not_import_booths():
    """The booths slice builds on the employers slice (a booking belongs to an employer, booking
    asks the ledger), so nothing in fairs.employers imports fairs.booths, at the top or in a
    function: bookings are reached by SQL, the read model or a declared hook."""
    found = [f"{m} -> {t} (line {line})" for m, targets in sorted(GRAPH.items())
             if _slice(m) == "employers"
             for t, line in sorted(targets.items()) if _slice(t) == "booths"]
    assert not found, found


# DESIGN.md section 1: "employers/ employers, approval, positions, the no-show ledger";
# "booths/ booth layouts, guest slots, bookings, waitlist". Each sub-capability's modules.
HOMES = {
    "positions": ("fairs.employers.positions", ["fairs.booths.positions"]),
    "no-show ledger and booking rules": ("fairs.employers.ledger", ["fairs.booths.ledger"]),
    "bookings and the waitlist": ("fairs.booths.bookings", []),
    "guest slots": ("fairs.booths.slots", []),
    "booth layouts": ("fairs.booths.layouts", []),
}


@pytest.mark.parametrize("capability", sorted(HOMES))
def test_sub_capabilities_live_where_design_says(capability):
    home, not_there = HOMES[capability]
    assert home in MODULES, f"{capability}: {home} missing"
    assert not [m for m in not_there if m in MODULES], f"{capability} is {home}'s"


def test_positions_and_the_ledger_are_the_employers_tables_api_and_pages():
    """Their tables are the employers app's (Piccolo), their API is tagged "employers" and
    served by fairs.employers.api, their pages by fairs.employers.pages, their templates are
    under templates/employers/."""
    from fairs.booths.piccolo_app import APP_CONFIG as BOOTHS
    from fairs.employers import api, pages
    from fairs.employers.piccolo_app import APP_CONFIG as EMPLOYERS

    mine = {t._meta.tablename for t in EMPLOYERS.table_classes}
    assert {"job_position", "no_show", "booking_rules"} <= mine
    assert not mine & {t._meta.tablename for t in BOOTHS.table_classes}
    served = {c.__name__: c for c in api.ROUTES}
    for name in ("PositionController", "LedgerController"):
        assert served[name].tags == ["employers"], name
    assert {"PositionPages", "LedgerPages", "JobsPages"} <= {c.__name__ for c in pages.ROUTES}
    for template in ("positions.html", "ledger.html", "jobs.html"):
        assert (ROOT / "templates" / "employers" / template).exists(), template
        assert not (ROOT / "templates" / "booths" / template).exists(), template


def test_the_checker_sees_a_cycle():
    """The checker itself: a cycle made of function-level imports is found."""
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _cycles(graph) == [{"a", "b", "c"}]


def test_no_extensions_registry_left():
    """Hooks are declared in fairs/hooks.py; nothing registers by being imported."""
    assert "fairs.extensions" not in MODULES
    for module, (path, _) in MODULES.items():
        text = path.read_text()
        if module.endswith(".hooks") or module == "fairs.hooks":
            continue
        for hook_call in (".connect(", "register_"):
            for line in text.splitlines():
                if line.startswith(("hooks.", "register_")) and hook_call in line:
                    raise AssertionError(f"{module}: a hook connected at import: {line}")
