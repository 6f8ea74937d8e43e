"""The tickets slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks

from . import pages, services


def connect() -> None:
    hooks.fair_counts.connect(services.registered_counts)
    hooks.fair_sections.connect(pages.register_section)
