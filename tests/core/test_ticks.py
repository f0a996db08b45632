"""The tick registry: each area's handler runs once per tick; one failing does not stop the others."""

import pytest

from soulseer.jobs.tick import tick
from soulseer.services.core import ticks
from soulseer.services.readings import billing


def test_readings_register_the_billing_engine_with_the_tick(app):
    with app.app_context():
        assert ticks.handlers()["readings"] is billing.tick


def test_accounts_register_the_end_of_timed_suspensions_with_the_tick(app):
    from soulseer.services.accounts import suspensions

    with app.app_context():
        assert ticks.handlers()["suspensions"] is suspensions.end_over


def test_payouts_register_their_daily_run_and_retries_with_the_tick(app):
    from soulseer.services.payouts import transfers

    with app.app_context():
        assert ticks.handlers()["payouts"] is transfers.tick


def test_every_handler_runs_and_a_failure_shows_after_the_others_ran(app):
    seen = []

    def broken(now):
        seen.append("broken")
        raise RuntimeError("boom")

    def counting(now):
        seen.append("counting")
        return 3

    saved = dict(app.extensions[ticks.EXTENSION])
    try:
        ticks.register(app, "broken", broken)
        ticks.register(app, "counting", counting)
        with app.app_context(), pytest.raises(RuntimeError, match="boom"):
            tick()
        assert seen[-2:] == ["broken", "counting"]
        app.extensions[ticks.EXTENSION].pop("broken")
        with app.app_context():
            # Every area's handler ran (each with nothing to do) and the test's own counted 3.
            assert tick() == {**dict.fromkeys(saved, 0), "counting": 3}
            assert {"readings", "suspensions", "bookings", "streams", "payouts", "shop"} <= set(saved)
    finally:
        app.extensions[ticks.EXTENSION] = saved
