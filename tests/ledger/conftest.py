"""Money tests: after every test, `flask ledger verify` must pass on what the test left behind."""

import threading

import pytest

from soulseer.extensions import db as database
from soulseer.ledger import verify


@pytest.fixture(autouse=True)
def _ledger_verified_after_each_test(app, request):
    yield
    if request.node.get_closest_marker("corrupts_ledger"):
        return
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["ledger", "verify"])
        assert result.exit_code == 0, result.output
        assert all(check.ok for check in verify.run())


def pytest_configure(config):
    config.addinivalue_line("markers", "corrupts_ledger: the test breaks an invariant on purpose")


@pytest.fixture
def run_in_parallel(app):
    """run_in_parallel(fn, n): call fn(i) in n threads at once, each with its own app context and
    database connection; returns the results (or exceptions) in order."""

    def run(fn, n):
        barrier = threading.Barrier(n)
        results = [None] * n

        def worker(i):
            with app.app_context():
                barrier.wait()
                try:
                    results[i] = fn(i)
                except Exception as error:  # collected for the test to inspect
                    database.session.rollback()
                    results[i] = error
                finally:
                    database.session.remove()

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads), "a posting hung (deadlock?)"
        return results

    return run
