"""The calendar slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks

from . import pages


def connect() -> None:
    hooks.fair_sections.connect(pages.subscribe_section)
