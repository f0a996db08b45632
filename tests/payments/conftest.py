"""Payments tests are money tests: `flask ledger verify` after each, real parallel connections (tests/ledger)."""

from tests.ledger.conftest import _ledger_verified_after_each_test, run_in_parallel  # noqa: F401
