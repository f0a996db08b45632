"""Signed-in pages (issue #20): the client's dashboard, the wallet page and a reading room's page,
each loaded with a signed-in client's session cookie beside the minimal page in the same run (the
signed-in `/readers` row is in browse.py). Goal: every signed-in page within twice a visitor's cost."""

import re
import threading
import urllib.request

import sqlalchemy as sa

from tests.bench.browse import BENCH_AGENT, signed_in_cookie
from tests.bench.web import page_beside_minimal

BALANCE_CENTS = 5_000_000  # enough for the room's reading to run through the whole measurement


def _client_with_history(email):
    """A client with a top-up and a finished-looking history is what a dashboard and a wallet show:
    one top-up here (ledger lines to list), made through the ledger as Stripe's webhook would."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.ledger import operations
    from soulseer.models import User
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL})  # the live server's Redis hears of the changes
    with app.app_context():
        client = db.session.execute(sa.select(User).filter_by(email=email)).scalar_one()
        operations.credit_topup(client, BALANCE_CENTS, f"topup:bench:{client.id}", ("topup", client.id))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def _signed_in_headers(live, email, role="client"):
    return {"Cookie": signed_in_cookie(live.url, email, role=role), "User-Agent": BENCH_AGENT}


def dashboard_signed_in(servers):
    """`GET /dashboard` as a client with a top-up behind her."""
    live = servers.live()
    email = "bench-dashboard@example.test"
    headers = _signed_in_headers(live, email)
    _client_with_history(email)
    name = "client dashboard GET /dashboard, signed-in client"
    return page_beside_minimal(servers, name, "/dashboard", headers=headers)


def wallet_signed_in(servers):
    """`GET /wallet`: the balance and the ledger's lines."""
    live = servers.live()
    email = "bench-wallet@example.test"
    headers = _signed_in_headers(live, email)
    _client_with_history(email)
    return page_beside_minimal(servers, "wallet GET /wallet, signed-in client", "/wallet", headers=headers)


def _active_reading(client_email, reader_email):
    """A chat reading between the two, requested, accepted and joined by both (the meter running),
    made through the readings services as the room makes it. Returns its id."""
    from soulseer import create_app
    from soulseer.extensions import db
    from soulseer.models import ReaderProfile, ReaderStatus, User
    from soulseer.services.readings import lifecycle, metering, states
    from tests.conftest import LIVE_REDIS_URL

    app = create_app({"REDIS_URL": LIVE_REDIS_URL})  # the live server's Redis hears of the changes
    with app.app_context():
        client = db.session.execute(sa.select(User).filter_by(email=client_email)).scalar_one()
        reader = db.session.execute(sa.select(User).filter_by(email=reader_email)).scalar_one()
        profile = ReaderProfile(
            user_id=reader.id,
            slug=f"bench-room-reader-{reader.id}",
            display_name="Bench Room Reader",
            rate_chat_cents=100,
            status=ReaderStatus.ONLINE,
        )
        db.session.add(profile)
        db.session.commit()
        reading_id = lifecycle.request(client, profile, "chat").id
        db.session.commit()
        lifecycle.accept(states.lock(reading_id), reader)
        db.session.commit()
        for user in (client, reader):
            metering.seen(states.lock(reading_id), user.id)
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return reading_id


class Heartbeats:
    """Both sides of the room heartbeat every 5 s while the page is measured, as their open rooms
    do (every 10 s): the meter keeps running and the page stays the room, not its summary."""

    def __init__(self, base_url, reading_id, cookies):
        self.url = f"{base_url}/readings/{reading_id}/heartbeat"
        self.sides = []
        for cookie in cookies:
            page = self._open(f"{base_url}/readings/{reading_id}", cookie).decode()
            token = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
            self.sides.append((cookie, token))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _open(url, cookie, data=None, token=None):
        headers = {"Cookie": cookie, "User-Agent": BENCH_AGENT, "HX-Request": "true"}
        if token:
            headers["X-CSRFToken"] = token
        with urllib.request.urlopen(urllib.request.Request(url, data=data, headers=headers), timeout=10) as answer:
            return answer.read()

    def _run(self):
        while not self._stop.is_set():
            for cookie, token in self.sides:
                self._open(self.url, cookie, data=b"", token=token)
            self._stop.wait(5)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def reading_room_signed_in(servers):
    """`GET /readings/<id>`: the room of an active chat reading, as its client (both sides heartbeating)."""
    live = servers.live()
    client_email, reader_email = "bench-room-client@example.test", "bench-room-reader@example.test"
    client = _signed_in_headers(live, client_email)
    reader = _signed_in_headers(live, reader_email, role="reader")
    _client_with_history(client_email)
    reading_id = _active_reading(client_email, reader_email)
    with Heartbeats(live.url, reading_id, [client["Cookie"], reader["Cookie"]]):
        return page_beside_minimal(
            servers, "reading room GET /readings/<id>, signed-in client", f"/readings/{reading_id}", headers=client
        )


# A client's lists of her own: her messages, bookings and orders (drawn by Flask on every request)
# and her notifications (kept whole since 2026-12-07), each as a client with a top-up behind her
# and nothing else yet: the per-request price of being signed in on such a page, against the 2x rule.
OWN_LISTS = [
    ("messages GET /messages, signed-in client", "/messages"),
    ("bookings GET /bookings, signed-in client", "/bookings"),
    ("orders GET /orders, signed-in client", "/orders"),
    ("notifications GET /notifications, signed-in client", "/notifications"),
]


def own_lists_signed_in(servers):
    """The client's messages, bookings, orders and notifications pages, each beside the minimal page."""
    live = servers.live()
    email = "bench-own-lists@example.test"
    headers = _signed_in_headers(live, email)
    _client_with_history(email)
    return [page_beside_minimal(servers, name, path, headers=headers) for name, path in OWN_LISTS]
