"""Fixtures for the booths tests: those of the employers tests (tests/employers/conftest.py:
fairs with booths, approved employers with bearer tokens), shared."""

from tests.employers.conftest import employer_clients, organiser  # noqa: F401 (fixtures)
