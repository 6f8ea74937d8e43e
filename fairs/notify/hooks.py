"""The notify slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks

from . import receivers


def connect() -> None:
    hooks.happened.connect(receivers.on_happened)
