"""Histories of readings and the reader dashboard figures: each person sees only their own."""

from datetime import timedelta

from soulseer import clock
from soulseer.services.readings import history
from tests.readings.helpers import finished_reading, profile_for


def test_client_history_shows_only_own_readings_with_review_prompt(client, login, people, make_user):
    client_user, reader = people
    profile_for(reader, "luna")
    other_client = make_user(role="client", consented=True, display_name="Somebody Else")
    mine = finished_reading(client_user, reader, seconds=125, rate=120)
    finished_reading(other_client, reader, seconds=300, rate=120)
    login(client, client_user)
    page = client.get("/readings/history").get_data(as_text=True)
    assert "Luna" in page and "2:05" in page and "$2.50" in page  # ceil(125 × 120 / 60) = 250
    assert f"/readings/{mine.id}/review" in page and "Leave a review" in page
    assert "5:00" not in page and "$6.00" not in page  # the other client's reading


def test_reader_history_shows_client_names_and_earnings_only_for_own(client, login, people, make_user):
    client_user, reader = people
    other_reader = make_user(role="reader", consented=True, display_name="Sol")
    finished_reading(client_user, reader, seconds=60, rate=100)  # $1.00, reader gets $0.70
    login(client, reader)
    page = client.get("/reader/readings").get_data(as_text=True)
    assert client_user.display_name in page and "$0.70" in page and "$1.00" in page
    assert client_user.email not in page
    login(client, other_reader)
    page = client.get("/reader/readings").get_data(as_text=True)
    assert client_user.display_name not in page and "No readings yet" in page


def test_histories_are_role_bound(client, login, people):
    client_user, reader = people
    login(client, client_user)
    assert client.get("/reader/readings").status_code == 403
    login(client, reader)
    assert client.get("/readings/history").status_code == 403


def test_reader_figures_by_day_week_month_in_utc(people):
    client_user, reader = people
    # START is Wednesday 25 November 2026, 12:00 UTC.
    finished_reading(client_user, reader, seconds=60, rate=100)  # today: earns 70
    clock.advance(timedelta(days=1))
    finished_reading(client_user, reader, seconds=120, rate=100)  # Thursday: earns 140
    figures = history.reader_figures(reader, now=clock.now())
    assert (figures.today_cents, figures.week_cents, figures.month_cents) == (140, 210, 210)
    assert (figures.today_count, figures.week_count, figures.month_count) == (1, 2, 2)
    clock.advance(timedelta(days=5))  # Tuesday 1 December: a new week and a new month
    figures = history.reader_figures(reader, now=clock.now())
    assert (figures.today_cents, figures.week_cents, figures.month_cents, figures.readings_count) == (0, 0, 0, 2)


def test_reader_dashboard_shows_figures_and_reviews_to_answer(client, login, post_form, people):
    client_user, reader = people
    reading = finished_reading(client_user, reader, seconds=120, rate=100)  # earns $1.40
    login(client, client_user)
    post_form(client, f"/readings/{reading.id}/review", {"stars": "4", "body": "Insightful"})
    login(client, reader)
    page = client.get("/reader").get_data(as_text=True)
    assert page.count("$1.40") == 3 and "4.0" in page and "Insightful" in page and "Answer reviews" in page
