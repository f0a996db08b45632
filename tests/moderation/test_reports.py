"""Reporting from the pages: the form in place (HTMX) or on its own page, the daily limit, refusals."""

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.models import Flag
from tests.conftest import csrf_token_from
from tests.moderation.conftest import chat_line, profile_of

HX = {"HX-Request": "true"}


def signed_in(app, login, user):
    browser = login(app.test_client(), user)
    browser.csrf = csrf_token_from(browser.get("/account").get_data(as_text=True))
    return browser


def send(browser, url, hx=True, **data):
    headers = {"X-CSRFToken": browser.csrf, **(HX if hx else {})}
    return browser.post(url, data=data, headers=headers)


def flag_count():
    return database.session.execute(sa.select(sa.func.count(Flag.id))).scalar()


def test_a_client_reports_a_review_in_place(app, login, review, reader, make_user):
    someone = signed_in(app, login, make_user(role="client", consented=True))
    page = someone.get("/readers/luna").get_data(as_text=True)
    url = f"/report/review/{review.id}?next=/readers/luna"
    assert f'hx-get="{url}"' in page and "Report this review" in page

    form = someone.get(url, headers=HX)
    html = form.get_data(as_text=True)
    assert form.status_code == 200 and "<html" not in html
    assert "Report this review" in html and "Contact details or payment outside SoulSeer" in html

    # Refused in place: HTMX swaps 200s, so the form comes back with its error; without HTMX, 422.
    short = send(someone, url, reason="inappropriate", note="bad")
    assert short.status_code == 200 and "5 to 1000 characters" in short.get_data(as_text=True)
    assert send(someone, url, hx=False, reason="inappropriate", note="bad").status_code == 422
    assert flag_count() == 0

    done = send(someone, url, reason="inappropriate", note="Insults the reader by name.")
    assert done.status_code == 200 and "Your report is with SoulSeer" in done.get_data(as_text=True)
    [flag] = database.session.execute(sa.select(Flag)).scalars()
    assert (flag.reason, flag.note, flag.item.kind, flag.item.target_id) == (
        "inappropriate",
        "Insults the reader by name.",
        "review",
        review.id,
    )
    again = send(someone, url, reason="spam", note="Still the same review.")
    assert again.status_code == 200 and "already reported" in again.get_data(as_text=True)
    assert send(someone, url, hx=False, reason="spam", note="Still the same review.").status_code == 409


def test_without_javascript_the_form_is_a_page_and_sending_returns_to_it(app, login, reader, make_user):
    someone = signed_in(app, login, make_user(role="client", consented=True))
    profile = profile_of(reader)
    url = f"/report/reader_profile/{profile.id}?next=/readers/luna"
    page = someone.get(url).get_data(as_text=True)
    assert "<html" in page and "Report this reader profile" in page and "Luna&#39;s profile" in page
    sent = send(someone, url, hx=False, reason="false_claims", note="Promises to lift a curse for $300.")
    assert sent.status_code == 303 and sent.headers["Location"] == "/readers/luna"
    assert "Your report is with SoulSeer" in someone.get("/readers/luna").get_data(as_text=True)
    assert flag_count() == 1


def test_what_is_not_yours_to_report(app, login, review, reading, client_user, reader, make_user):
    author = signed_in(app, login, client_user)
    assert "Report this review" not in author.get("/readers/luna").get_data(as_text=True)
    assert author.get(f"/report/review/{review.id}", headers=HX).status_code == 403
    assert send(author, f"/report/review/{review.id}", reason="spam", note="My own review").status_code == 403
    assert send(author, f"/report/review/{review.id}", hx=False, reason="spam", note="Mine").status_code == 403
    line = chat_line(reading, client_user, "Thank you")
    stranger = signed_in(app, login, make_user(role="client", consented=True))
    assert stranger.get(f"/report/reading_message/{line.id}").status_code == 404
    assert stranger.get(f"/report/reading/{reading.id}").status_code == 404
    assert stranger.get("/report/nothing/1").status_code == 404
    visitor = app.test_client()
    assert visitor.get(f"/report/review/{review.id}").status_code == 302  # sign in first
    assert flag_count() == 0


def test_report_a_problem_with_a_finished_reading(app, login, reading, client_user, reader):
    nova = signed_in(app, login, client_user)
    summary = nova.get(f"/readings/{reading.id}").get_data(as_text=True)
    assert f"/report/reading/{reading.id}" in summary and "Report a problem" in summary
    history = nova.get("/readings/history").get_data(as_text=True)
    assert f"/report/reading/{reading.id}" in history
    form = nova.get(f"/report/reading/{reading.id}", headers=HX).get_data(as_text=True)
    assert "The reader did not really read" in form and "I was charged wrongly" in form
    done = send(nova, f"/report/reading/{reading.id}", reason="billing", note="Charged for 5 minutes, got 2.")
    assert done.status_code == 200 and "goes back to your wallet" in done.get_data(as_text=True)
    luna = signed_in(app, login, reader)
    assert f"/report/reading/{reading.id}" not in luna.get(f"/readings/{reading.id}").get_data(as_text=True)


def test_twenty_reports_a_day_then_429_with_retry_after(app, login, make_user):
    someone = signed_in(app, login, make_user(role="client", consented=True))
    people = [make_user(role="client", consented=True) for _ in range(21)]
    refused = send(someone, f"/report/user/{people[0].id}", hx=False, reason="spam", note="no")  # not counted
    assert refused.status_code == 422
    for person in people[:20]:
        assert send(someone, f"/report/user/{person.id}", reason="spam", note="Sends me adverts.").status_code == 200
    over = send(someone, f"/report/user/{people[20].id}", reason="spam", note="Sends me adverts.")
    assert over.status_code == 429 and int(over.headers["Retry-After"]) > 0
    assert flag_count() == 20
    # The limit is per person: someone else may still report.
    other = signed_in(app, login, make_user(role="client", consented=True))
    assert send(other, f"/report/user/{people[20].id}", reason="spam", note="Sends me adverts.").status_code == 200


def test_help_and_the_refund_policy_point_to_report_a_problem(client, db):
    from soulseer.content_pages import CONTENT_PAGES
    from soulseer.services.core import content

    content.seed_pages(CONTENT_PAGES)
    for slug in ("help", "refund-policy"):
        page = client.get(f"/pages/{slug}").get_data(as_text=True)
        assert "Report a problem" in page and 'href="/readings/history"' in page
        assert "contact us" not in page.lower() and "write to us" not in page
    help_page = client.get("/pages/help").get_data(as_text=True)
    assert 'href="tel:988"' in help_page and 'href="sms:988"' in help_page and "988lifeline.org" in help_page
