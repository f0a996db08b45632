"""The wallet page: balance, history with filters and pages, CSV export, header balance."""

import csv
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from soulseer import clock
from soulseer.ledger import accounts, operations


@pytest.fixture
def client_user(make_user):
    now = clock.now()
    return make_user(role="client", display_name="Cleo", adult_confirmed_at=now, terms_version=1, terms_accepted_at=now)


@pytest.fixture
def signed_in(client, login, client_user):
    return login(client, client_user)


def fund(db, user, cents, key):
    operations.credit_topup(user, cents, f"topup:{key}", ("topup", 1))
    db.session.commit()


def test_wallet_shows_balance_and_history_newest_first(db, signed_in, client_user, make_user):
    reader = make_user(role="reader")
    fund(db, client_user, 2500, "a")
    operations.purchase(client_user, 250, reader, 7000, "gift:1", ("gift", 1), "Heart for Luna")
    db.session.commit()
    html = signed_in.get("/wallet").get_data(as_text=True)
    assert "$22.50" in html  # balance, also in the header badge
    assert html.count('id="balance-badge"') == 1
    heart, topup = html.index("Heart for Luna"), html.index("Wallet top-up")
    assert heart < topup  # newest first
    assert "-$2.50" in html and "+$25.00" in html


def test_history_filters_and_fragment(db, signed_in, client_user, make_user):
    reader = make_user(role="reader")
    fund(db, client_user, 2500, "a")
    operations.purchase(client_user, 100, reader, 7000, "gift:1", ("gift", 1), "Rose for Luna")
    db.session.commit()
    only_out = signed_in.get("/wallet?direction=out", headers={"HX-Request": "true"})
    body = only_out.get_data(as_text=True)
    assert "<html" not in body and 'id="history"' in body
    assert "Rose for Luna" in body and "Wallet top-up" not in body
    only_topups = signed_in.get("/wallet?kind=topups").get_data(as_text=True)
    assert "Wallet top-up" in only_topups and "Rose for Luna" not in only_topups
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()
    future = signed_in.get(f"/wallet?from={tomorrow}").get_data(as_text=True)
    assert "No lines match these filters" in future
    assert "Vary" in only_out.headers and "HX-Request" in only_out.headers["Vary"]


def test_filtered_and_paged_fragments_push_their_own_clean_url(db, signed_in, client_user):
    fund(db, client_user, 2500, "a")
    hx = {"HX-Request": "true"}
    # The form sends every field, empty ones too; history gets only what filters.
    answer = signed_in.get("/wallet?kind=&direction=in&from=&to=", headers=hx)
    assert answer.headers["HX-Push-Url"] == "/wallet?direction=in"
    assert signed_in.get("/wallet?kind=&direction=&from=&to=", headers=hx).headers["HX-Push-Url"] == "/wallet"
    paged = signed_in.get("/wallet?page=2&kind=topups&direction=", headers=hx)
    assert paged.headers["HX-Push-Url"] == "/wallet?page=2&kind=topups"
    assert "HX-Push-Url" not in signed_in.get("/wallet?direction=in").headers  # a whole page is its own URL


def test_malformed_filters_are_ignored(db, signed_in, client_user):
    fund(db, client_user, 1000, "a")
    response = signed_in.get("/wallet?kind=../../etc&direction=sideways&from=yesterday&page=-3")
    assert response.status_code == 200
    assert "Wallet top-up" in response.get_data(as_text=True)


def test_history_is_paginated(db, signed_in, client_user):
    for n in range(25):
        fund(db, client_user, 100 + n, f"p{n}")
    first = signed_in.get("/wallet").get_data(as_text=True)
    assert first.count('class="ledger-line"') == 20 and "Older" in first
    second = signed_in.get("/wallet?page=2").get_data(as_text=True)
    assert second.count('class="ledger-line"') == 5 and "Newer" in second and "Older" not in second


def test_csv_export_has_every_matching_line(db, signed_in, client_user):
    for n in range(25):
        fund(db, client_user, 100, f"c{n}")
    response = signed_in.get("/wallet/history.csv?kind=topups")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["time (UTC)", "description", "kind", "amount", "balance after"]
    assert len(rows) == 26
    assert rows[1][3] == "1.00" and rows[1][4] == "25.00"  # newest first, balance after


def test_csv_descriptions_never_read_as_formulas_and_amounts_stay_numbers(db, signed_in, client_user, make_user):
    reader = make_user(role="reader")
    fund(db, client_user, 1000, "a")
    operations.purchase(client_user, 250, reader, 7000, "gift:1", ("gift", 1), '=HYPERLINK("http://x.test","hi")')
    operations.purchase(client_user, 100, reader, 7000, "gift:2", ("gift", 2), "@SUM(A1)")
    db.session.commit()
    rows = list(csv.reader(io.StringIO(signed_in.get("/wallet/history.csv").get_data(as_text=True))))
    assert [row[1] for row in rows[1:]] == ["'@SUM(A1)", '\'=HYPERLINK("http://x.test","hi")', "Wallet top-up"]
    assert [row[3] for row in rows[1:]] == ["-1.00", "-2.50", "10.00"]


def test_the_wallet_is_the_clients_own(client, login, make_user, db, client_user):
    fund(db, client_user, 1000, "mine")
    other = make_user(role="client", adult_confirmed_at=clock.now(), terms_version=1)
    html = login(client, other).get("/wallet").get_data(as_text=True)
    assert "$0.00" in html and "Wallet top-up" not in html


def test_readers_and_visitors_have_no_wallet_page(client, login, make_user):
    assert client.get("/wallet").status_code == 302  # sign in first
    reader = make_user(role="reader", consented=True)
    assert login(client, reader).get("/wallet").status_code == 403


def test_no_wallet_row_is_created_by_looking(db, signed_in, client_user):
    signed_in.get("/wallet")
    assert accounts.find_wallet(client_user) is None
    assert db.session.execute(sa.text("SELECT COUNT(*) FROM ledger_accounts")).scalar() == 0
