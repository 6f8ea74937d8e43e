"""The notify slice's receivers of fairs.hooks (connected by fairs.slices.connect_hooks)."""

from __future__ import annotations

from fairs import hooks

from . import outbox, receivers

_STEPS = outbox.registration_steps()


def _registration_writes() -> tuple:
    return _STEPS


def connect() -> None:
    hooks.happened.connect(receivers.on_happened)
    hooks.registration_writes.connect(_registration_writes)
