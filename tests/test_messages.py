"""Every error a service can raise speaks the reader's language: its messages are message ids
(literal English texts marked with N_, never f-strings, concatenations or variables) with a
Chinese and an English text in the catalogues, and the same {placeholders} in both.

The check reads the source (the AST of fairs/): every construction of a fairs.errors exception,
of FieldError and of Problem, and every call of a helper that passes its own argument on as the
message of one (booths' `_conflict(field, message)`, bounds' `_parse(..., message, code)`).
Every module of fairs/ is swept (the list of modules not swept yet is gone): one that regresses
fails here.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fairs import i18n
from fairs.errors import Conflict, FieldError, Invalid, Message, NotFound

ROOT = Path(i18n.__file__).resolve().parent.parent
PACKAGE = ROOT / "fairs"

# Where a message is passed on from an error already checked at its raise (or from a table of
# literal message ids): the problem+json mapping itself.
FORWARDERS = {
    ("fairs/problems.py", "from_fairs_error"),
    ("fairs/problems.py", "from_http_exception"),
}
ERROR_CLASSES = {"FairsError", "Invalid", "NotAuthenticated", "Forbidden", "NotFound", "Conflict",
                 "TooManyRequests", "Unavailable", "FieldError", "Problem"}
MESSAGE_POSITION = {"Invalid": 1, "FieldError": 1, "Problem": None}  # others: the first argument
MESSAGE_KEYWORDS = {"detail", "message"}
# Modules whose tables of message ids (Litestar's and msgspec's texts mapped) are raised too.
TABLES = {"fairs/validation.py", "fairs/problems.py"}
CODE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class Found:
    """What the walk found: message ids (with where), and what is wrong."""

    msgids: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    modules: set[str] = field(default_factory=set)  # modules that make errors
    helpers: dict[str, tuple[int, str]] = field(default_factory=dict)  # name -> (index, param)

    def add(self, msgid: str, where: str) -> None:
        self.msgids.setdefault(msgid, []).append(where)


def _name_of(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal(node: ast.expr) -> str | None:
    """A string literal, or N_("literal")."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (isinstance(node, ast.Call) and _name_of(node.func) == "N_" and len(node.args) == 1
            and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
        return node.args[0].value
    return None


def _literals(node: ast.expr, names: dict[str, list[ast.expr]], depth: int = 0) -> list[str] | None:
    """The message ids an expression can be: literals, N_ literals, either branch of a
    conditional, or a name every assignment of which is one of those; None otherwise."""
    if depth > 5:
        return None
    single = _literal(node)
    if single is not None:
        return [single]
    if isinstance(node, ast.IfExp):
        a, b = _literals(node.body, names, depth + 1), _literals(node.orelse, names, depth + 1)
        return a + b if a is not None and b is not None else None
    if isinstance(node, ast.Name) and node.id in names:
        out: list[str] = []
        for value in names[node.id]:
            found = _literals(value, names, depth + 1)
            if found is None:
                return None
            out += found
        return out
    return None


def _assignments(body: list[ast.stmt] | ast.AST) -> dict[str, list[ast.expr]]:
    """Simple `name = value` assignments (a tuple target makes the name unknowable)."""
    names: dict[str, list[ast.expr]] = {}
    nodes = body if isinstance(body, list) else [body]
    for top in nodes:
        for node in ast.walk(top):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        names.setdefault(target.id, []).append(node.value)
                    elif isinstance(target, ast.Tuple | ast.List):
                        for elt in ast.walk(target):
                            if isinstance(elt, ast.Name):
                                names.setdefault(elt.id, []).append(ast.Constant(value=None))
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and node.value is not None:
                names.setdefault(node.target.id, []).append(node.value)
    return names


def _module_constants(tree: ast.Module) -> dict[str, list[ast.expr]]:
    names: dict[str, list[ast.expr]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names.setdefault(target.id, []).append(node.value)
    return names


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    if args and args[0] in ("self", "cls"):
        args = args[1:]
    return args + [a.arg for a in fn.args.kwonlyargs]


def _message_args(call: ast.Call, position: int | None) -> list[ast.expr]:
    args = []
    if position is not None and len(call.args) > position:
        args.append(call.args[position])
    args += [k.value for k in call.keywords if k.arg in MESSAGE_KEYWORDS]
    return args


class _Walker(ast.NodeVisitor):
    def __init__(self, rel: str, tree: ast.Module, found: Found,
                 helpers: dict[str, tuple[int, str]]) -> None:
        self.rel, self.found, self.helpers = rel, found, helpers
        self.constants = _module_constants(tree)
        self.stack: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def visit_FunctionDef(self, node) -> None:
        self.stack.append(node)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _where(self, node: ast.AST) -> str:
        fn = self.stack[-1].name if self.stack else "<module>"
        return f"{self.rel}:{node.lineno} ({fn})"

    def _check(self, arg: ast.expr, call: ast.Call) -> None:
        fn = self.stack[-1] if self.stack else None
        names = dict(self.constants)
        if fn is not None:
            for key, values in _assignments(fn.body).items():
                names[key] = values  # a local name hides a module constant
        found = _literals(arg, names)
        if found is not None:
            for msgid in found:
                self.found.add(msgid, self._where(call))
                self._check_params(msgid, call)
            return
        if fn is not None and isinstance(arg, ast.Name) and arg.id in _params(fn) \
                and arg.id not in _assignments(fn.body):
            self.found.helpers.setdefault(fn.name, (_params(fn).index(arg.id), arg.id))
            return
        if fn is not None and (self.rel, fn.name) in FORWARDERS:
            return
        self.found.problems.append(
            f"{self._where(call)}: the message is not a literal message id: "
            f"{ast.unparse(arg)[:80]}")

    def _check_params(self, msgid: str, call: ast.Call) -> None:
        given = next((k.value for k in call.keywords if k.arg == "params"), None)
        wanted = i18n.placeholders(msgid)
        if isinstance(given, ast.Dict) and all(isinstance(k, ast.Constant) for k in given.keys):
            keys = {k.value for k in given.keys}
            if wanted - keys:
                self.found.problems.append(
                    f"{self._where(call)}: {msgid!r} needs values for {sorted(wanted - keys)}")
        elif given is None and wanted:
            self.found.problems.append(
                f"{self._where(call)}: {msgid!r} has placeholders but no params")
        code = next((k.value for k in call.keywords if k.arg == "code"), None)
        if isinstance(code, ast.Constant) and not CODE.match(str(code.value)):
            self.found.problems.append(f"{self._where(call)}: code {code.value!r} is not a "
                                       "machine word")

    def visit_Call(self, node: ast.Call) -> None:
        name = _name_of(node.func)
        if self.rel in TABLES and name == "N_" and _literal(node) is not None:
            self.found.add(_literal(node), self._where(node))
        if name in ERROR_CLASSES or name in self.helpers:
            self.found.modules.add(self.rel)
        if name in ERROR_CLASSES:
            for arg in _message_args(node, MESSAGE_POSITION.get(name, 0)):
                self._check(arg, node)
        elif name in self.helpers:
            index, param = self.helpers[name]
            args = [node.args[index]] if len(node.args) > index else []
            args += [k.value for k in node.keywords if k.arg == param]
            for arg in args:
                self._check(arg, node)
        self.generic_visit(node)


def modules() -> list[tuple[str, ast.Module]]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "piccolo_migrations" in rel or rel == "fairs/errors.py":
            continue
        out.append((rel, ast.parse(path.read_text(encoding="utf-8"), filename=rel)))
    return out


def walk(sources: list[tuple[str, ast.Module]]) -> Found:
    """Walk until no new helper turns up (a helper of a helper...)."""
    helpers: dict[str, tuple[int, str]] = {}
    while True:
        found = Found()
        for rel, tree in sources:
            _Walker(rel, tree, found, helpers).visit(tree)
        if found.helpers.keys() <= helpers.keys():
            return found
        helpers.update(found.helpers)


@pytest.fixture(scope="module")
def found() -> Found:
    return walk(modules())


@pytest.fixture(scope="module")
def catalogues():
    from babel.messages.pofile import read_po

    out = {}
    for locale in i18n.LOCALES:
        with (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
            out[locale] = read_po(fh, locale=locale)
    return out


def test_every_message_of_a_swept_module_is_a_literal_message_id(found):
    assert not found.problems, "\n".join(found.problems)


def test_every_message_has_a_chinese_and_an_english_text(found, catalogues):
    zh, en = catalogues["zh_CN"], catalogues["en"]
    missing = [f"{msgid!r} ({places[0]})" for msgid, places in sorted(found.msgids.items())
               if not (zh.get(msgid) and zh.get(msgid).string and en.get(msgid) is not None)]
    assert not missing, ("put the Chinese in scripts/zh/*.tsv and run scripts/messages.py:\n"
                         + "\n".join(missing))
    # ... and rendered, each is a text in both languages (English: the id itself).
    sample = sorted(found.msgids)
    assert len(sample) > 100  # the services' messages and the validation messages
    for msgid in sample:
        values = {name: "X" for name in i18n.placeholders(msgid)}
        english = msgid.format(**values) if values else msgid
        assert i18n.render(msgid, values, "en") == english
        assert i18n.render(msgid, values, "zh_CN") != i18n.render(msgid, values, "en") \
            or msgid in SAME_IN_BOTH, msgid


SAME_IN_BOTH = {"fairs[{item}]: {reason}"}


def test_placeholders_are_the_same_in_both_languages(catalogues):
    wrong = []
    for locale, catalogue in catalogues.items():
        for message in catalogue:
            if not message.id or not isinstance(message.id, str) or not message.string:
                continue
            if i18n.placeholders(message.id) != i18n.placeholders(message.string):
                wrong.append(f"{locale}: {message.id!r} -> {message.string!r}")
    assert not wrong, "\n".join(wrong)


def test_every_slice_is_swept(found):
    """The modules the first pass left (check-in, booths, employers, accounts) make errors and
    are walked like the rest."""
    for prefix in ("fairs/checkin/", "fairs/booths/", "fairs/employers/", "fairs/accounts/"):
        assert any(rel.startswith(prefix) for rel in found.modules), prefix


def _check(source: str) -> list[str]:
    return walk([("fairs/example.py", ast.parse(source))]).problems


def test_the_checker_flags_what_is_not_a_message_id():
    assert _check('raise Invalid("x", N_("required"), code="required")\n') == []
    assert _check('def f(field, message):\n    return Conflict(message)\n'
                  'def g():\n    raise f("x", N_("taken"))\n') == []
    assert _check('MESSAGE = N_("a phone")\nraise Invalid("phone", MESSAGE)\n') == []
    assert _check('def f(k):\n    m = N_("a") if k else N_("b")\n    raise NotFound(m)\n') == []
    flagged = {
        'raise Invalid("x", f"one of {KINDS}")': "not a literal",
        'raise Conflict("the " + what + " is taken")': "not a literal",
        'def f(exc):\n    raise NotFound(exc.detail)': "not a literal",
        'raise FieldError("x", text)': "not a literal",
        'raise Invalid("x", N_("at most {n}").format(n=3))': "not a literal",
        'def f(field, message):\n    return Conflict(message)\n'
        'def g(m):\n    raise f("x", m + "!")': "not a literal",
        'raise Invalid("x", N_("at most {n} characters"), code="too_long")': "no params",
        'raise Invalid("x", N_("at most {n}"), params={"m": 1})': "needs values",
        'raise Invalid("x", N_("required"), code="Bad Code")': "machine word",
    }
    for source, why in flagged.items():
        problems = _check(source + "\n")
        assert problems and why in problems[0], (source, problems)


# --- the errors themselves ------------------------------------------------------------------


def test_an_error_renders_in_each_language_with_one_code():
    exc = Invalid("description", i18n.N_("at most {n} characters"), code="too_long",
                  params={"n": 5000})
    assert exc.errors[0].as_dict("en") == {"field": "description", "code": "too_long",
                                           "message": "at most 5,000 characters"}
    assert exc.errors[0].as_dict("zh_CN") == {"field": "description", "code": "too_long",
                                              "message": "最多 5,000 个字符"}
    assert exc.text("en") == "at most 5,000 characters" and exc.code == "too_long"


def test_codes_default_to_the_error_class_or_a_common_message():
    assert NotFound(i18n.N_("no such fair")).code == "not_found"
    assert Invalid("name", i18n.N_("required")).errors[0].code == "required"
    assert Invalid("name", "whatever").errors[0].code == "invalid"
    taken = Conflict("booth A01 is taken", errors=[FieldError("booth", "booth A01 is taken")])
    assert taken.code == "conflict" and taken.errors[0].code == "conflict"


def test_a_plain_english_text_still_renders():
    """The compatibility path (a text given where a message id goes, e.g. a library's):
    translated when the catalogue has it, shown as given otherwise."""
    legacy = Invalid("uscc", "a text no catalogue has")
    assert legacy.errors[0].text("zh_CN") == legacy.errors[0].text("en") \
        == "a text no catalogue has"
    assert Invalid("x", "no such ticket").errors[0].text("zh_CN") == "没有这张门票"
    assert Invalid("x", "literal {braces} stay").errors[0].text("en") == "literal {braces} stay"


def test_values_are_formatted_for_the_language():
    from datetime import UTC, date, datetime

    from fairs.errors import Span

    message = Message("x {when} {day} {n} {codes} {span}", {
        "when": datetime(2027, 3, 5, 1, 0, tzinfo=UTC), "day": date(2027, 3, 5), "n": 12345,
        "codes": ["a", "b"], "span": Span(datetime(2027, 3, 5, 1, 0, tzinfo=UTC),
                                          datetime(2027, 3, 5, 4, 0, tzinfo=UTC))})
    assert message.render("en") == \
        "x Fri 5 Mar 2027 09:00 Fri 5 Mar 2027 12,345 a, b Fri 5 Mar 2027 09:00–12:00"
    assert message.render("zh_CN") == \
        "x 2027年3月5日 周五 09:00 2027年3月5日 周五 12,345 a、b 2027年3月5日 周五 09:00–12:00"


@pytest.mark.parametrize(("text", "code", "en", "zh"), [
    ("Expected `int`, got `str`", "type", "a whole number", "请填写整数"),
    ("Expected `str | null`, got `int` - at `$.title`", "type", "text", "应为文本"),
    ("Expected `bool`, got `int`", "type", "true or false", "应为 true 或 false"),
    ("Expected `array`, got `object`", "type", "a list", "应为列表"),
    ("Object missing required field `title`", "required", "required", "必填"),
    ("Missing required query parameter 'q' for path /x", "required", "required", "必填"),
    ("Object contains unknown field `x`", "unknown_field", "not a field of this object",
     "不是此对象的字段"),
    ("Expected `str` of length <= 200", "too_long", "at most 200 characters", "最多 200 个字符"),
    ("Expected `str` of length >= 1", "too_short", "must not be empty", "不能为空"),
    ("Expected `str` of length >= 8", "too_short", "at least 8 characters", "至少 8 个字符"),
    ("Expected `array` of length <= 50", "too_many", "at most 50 items", "最多 50 项"),
    ("Expected `array` of length >= 1", "too_few", "must not be empty", "不能为空"),
    ("Expected `array` of length >= 2", "too_few", "at least 2 items", "至少 2 项"),
    ("Expected `int` >= 1", "too_small", "at least 1", "不能小于 1"),
    ("Expected `int` <= 2147483647", "too_large", "at most 2,147,483,647",
     "不能大于 2,147,483,647"),
    ("Invalid enum value 'x'", "invalid_choice", "not one of the allowed values", "不是允许的取值"),
    ("Invalid RFC3339 encoded datetime", "invalid_datetime", "a date and time", "请填写日期和时间"),
    ("Invalid RFC3339 encoded date", "invalid_date", "a date YYYY-MM-DD", "请填写日期（年-月-日）"),
    ("Expected `datetime` with a timezone component", "invalid_datetime",
     "a date and time with its offset, e.g. 2027-03-05T09:00:00+08:00",
     "请填写带时区偏移的日期和时间，例如 2027-03-05T09:00:00+08:00"),
    ("field `starts_at` is out of range: a date from 2000-01-01 to 2100-12-31", "out_of_range",
     "a date from 2000-01-01 to 2100-12-31", "日期须在 2000-01-01 至 2100-12-31 之间"),
    ("Expected `str` matching regex '^[a-z]+$'", "pattern", "not in the expected format",
     "格式不正确"),
    ("JSON is malformed: trailing characters (byte 3)", "malformed", "not valid JSON",
     "不是有效的 JSON"),
    ("Something msgspec says one day", "invalid", "not a valid value", "值无效"),
])
def test_validation_texts_become_message_ids(text, code, en, zh):
    """Litestar's and msgspec's texts (known shapes) as message ids in both languages."""
    from fairs import validation

    msgid, params, got = validation.parse(text)
    assert got == code
    assert (i18n.render(msgid, params, "en"), i18n.render(msgid, params, "zh_CN")) == (en, zh)
