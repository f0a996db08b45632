"""The wallet tells the truth (issue #13, Build 5): one line per reading, net — what it cost —
expandable to its ledger lines; the CSV net by default, every ledger line with ?detail=1. The
ledger underneath is unchanged (flask ledger verify runs after each test here)."""

import csv
import io

from soulseer.extensions import db
from soulseer.ledger import LedgerEntry, accounts
from soulseer.models import ReaderProfile
from soulseer.services.payments import wallet
from tests.readings.conftest import Session, fund
from tests.readings.helpers import finished_reading


def luna_starweaver(reader):
    db.session.add(ReaderProfile(user_id=reader.id, slug="luna", display_name="Luna Starweaver", rate_chat_cents=100))
    db.session.commit()


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]


def test_a_reading_is_one_line_with_its_cost_and_its_ledger_lines_a_tap_away(client, login, people):
    client_user, reader = people
    luna_starweaver(reader)
    reading = finished_reading(client_user, reader, seconds=25, rate=1795, balance=6000)  # ceil(25 × 1795 / 60)
    assert reading.cost_cents == 748
    wallet_id = accounts.find_wallet(client_user).id
    entries = db.session.query(LedgerEntry).filter_by(account_id=wallet_id).count()
    assert entries == 3  # the top-up, minute 1 reserved, the unused part released: the ledger as it is

    login(client, client_user)
    page = client.get("/wallet").get_data(as_text=True)
    history = page.split('<div id="history">', 1)[1]
    assert history.count('<li class="ledger-line') == 2  # the top-up and the reading
    line = history.split('ledger-line-net">', 1)[1].split("</details>", 1)[0]
    assert "Reading with Luna Starweaver · 0:25" in line and ">-$7.48<" in line
    assert "Balance $52.52" in line  # 60.00 - 7.48
    lines = line.split('<details class="ledger-entries">', 1)[1]
    assert "2 ledger lines" in lines and "Reading minute 1 reserved" in lines
    assert "-$17.95" in lines and "+$10.47" in lines  # reserved, then the unused part back: net -7.48

    # The CSV: net lines by default, every ledger line with ?detail=1.
    net = csv_rows(client, "/wallet/history.csv")
    assert net[0][1:] == ["Reading with Luna Starweaver · 0:25", "reading", "-7.48", "52.52"]
    assert len(net) == 2 and net[1][2:] == ["topup", "60.00", "60.00"]
    detail = csv_rows(client, "/wallet/history.csv?detail=1")
    assert len(detail) == 3 and [row[3] for row in detail] == ["10.47", "-17.95", "60.00"]
    assert sum(round(float(row[3]) * 100) for row in detail) == wallet.balance(client_user) == 5252


def test_direction_filters_the_net_lines_and_a_running_reading_says_so(client, login, people):
    client_user, reader = people
    luna_starweaver(reader)
    fund(client_user, 5000)
    session = Session(client_user, reader, 300)
    session.accept()
    session.join_both()
    session.run_until(70)  # two minutes reserved so far
    login(client, client_user)
    out = client.get("/wallet?direction=out").get_data(as_text=True).split('<div id="history">', 1)[1]
    assert out.count('<li class="ledger-line') == 1
    assert "Reading with Luna Starweaver · in progress" in out and ">-$6.00<" in out
    money_in = client.get("/wallet?direction=in").get_data(as_text=True).split('<div id="history">', 1)[1]
    assert money_in.count('<li class="ledger-line') == 1 and "Reading with" not in money_in
