"""Keep the Babel catalogues in step with the code: `python scripts/messages.py [new.tsv]`.

Extracts every marked string (`_()`, `gettext()`, `ngettext()`, `N_()` in fairs/ and templates/)
into fairs/locale/messages.pot, updates zh_CN and en (keeping their translations), and merges
translations from an optional TSV of `msgid<TAB>中文`. Lists what zh_CN still lacks; the test
suite fails while anything does.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "fairs" / "locale"
POT = LOCALE / "messages.pot"


def main() -> int:
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-k", "_", "-k", "gettext", "-k", "ngettext:1,2", "-k", "N_", "--no-location",
         "--sort-output", "--omit-header", "-o", str(POT), "."],
        cwd=ROOT, check=True, capture_output=True,
    )
    new: dict[str, str] = {}
    if len(sys.argv) > 1:
        for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
            if "\t" in line:
                key, value = line.split("\t", 1)
                if key in new and new[key] != value:
                    print(f"conflicting translations for {key!r}: {new[key]!r} / {value!r}")
                new[key] = value
    missing = []
    for locale in ("zh_CN", "en"):
        with POT.open("rb") as fh:  # afresh each time: update() shares message objects
            template = read_po(fh)
        path = LOCALE / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            with path.open("rb") as fh:
                catalog = read_po(fh, locale=locale)
        else:
            catalog = template.__class__(locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        if locale == "en":  # the msgids are English: an empty msgstr shows the msgid
            for message in catalog:
                if message.id:
                    message.string = "" if isinstance(message.id, str) else ("", "")
        if locale == "zh_CN":
            for message in catalog:
                if not message.id:
                    continue
                key = message.id if isinstance(message.id, str) else message.id[0]
                if key in new:
                    message.string = new[key] if isinstance(message.id, str) else (new[key],) * 2
                    message.flags.discard("fuzzy")
                text = message.string if isinstance(message.string, str) else message.string[0]
                if not text:
                    missing.append(key)
        catalog.obsolete.clear()
        with path.open("wb") as fh:
            write_po(fh, catalog, omit_header=False, no_location=True, sort_output=True,
                     width=100)
    for key in missing:
        print(f"untranslated (zh_CN): {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
