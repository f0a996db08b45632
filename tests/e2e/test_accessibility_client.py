"""No axe violation anywhere on a client's tour (tests/e2e/accessibility_tours.py), in a file of its
own so that another test worker walks it beside the other tours."""

import pytest

from tests.e2e.accessibility_tours import tour_problems


@pytest.mark.timeout(300)
@pytest.mark.parametrize("role", ["client"])
def test_no_axe_violation_anywhere(role, app, browser, live_server, make_user):
    problems = tour_problems(role, app, browser, live_server, make_user)
    assert problems == [], "\n".join(problems)
