"""Gifts (L-7) and the board (L-8): a commerce sale with the reader's share, once per key however
often it arrives (real parallel connections), refused with nothing written, and a board computed
from the rows that always equals the ledger. `flask ledger verify` runs after every test."""

import time
import uuid

import pytest
import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.ledger import LedgerTransaction, accounts, reads
from soulseer.models import Gift, StreamGift, User
from soulseer.services import commerce
from soulseer.services.streams import gifts, lifecycle
from tests.streams.conftest import fund, live_stream
from tests.support.money import earnings_of, revenue, wallet_of

pytestmark = pytest.mark.usefixtures("db", "agora_configured")


def gift_named(name):
    return database.session.execute(sa.select(Gift).filter_by(name=name)).scalar_one()


def gift_postings():
    return database.session.scalar(
        sa.select(sa.func.count()).select_from(LedgerTransaction).filter_by(reference_type="gift")
    )


def send(stream, user, name, key=None, **options):
    sent = gifts.send(stream, user, gift_named(name).id, str(key or uuid.uuid4()), **options)
    database.session.commit()
    return sent


def pause():
    time.sleep(gifts.SPACING_MS / 1000 + 0.05)


def test_the_catalogue_is_seeded_in_order():
    assert [(g.name, g.price_cents) for g in gifts.catalogue()] == [
        ("Rose", 100), ("Heart", 250), ("Star", 500), ("Crown", 1000), ("Diamond", 2500),
    ]  # fmt: skip


def test_a_gift_is_a_sale_with_the_readers_share(luna, nova):
    stream = live_stream(luna)
    fund(nova, 2000)
    sent = send(stream, nova, "Crown")
    assert sent.created and (sent.row.price_cents, sent.row.to_reader_cents) == (1000, 700)
    assert (wallet_of(nova), earnings_of(luna), revenue()) == (1000, 700, 300)
    assert reads.sale(gifts.reference(sent.row.id)).paid == 1000
    assert reads.posted(f"gift:{sent.row.client_key}") is not None


def test_the_same_key_again_charges_nothing(luna, nova):
    stream = live_stream(luna)
    fund(nova, 2000)
    key = uuid.uuid4()
    first = send(stream, nova, "Rose", key)
    pause()
    again = send(stream, nova, "Rose", key)
    assert (first.created, again.created, again.row.id) == (True, False, first.row.id)
    assert wallet_of(nova) == 1900 and gift_postings() == 1


def test_twenty_concurrent_sends_of_one_key_charge_once(app, luna, nova, run_in_parallel):
    stream = live_stream(luna)
    fund(nova, 2000)
    key, stream_id, nova_id, rose = str(uuid.uuid4()), stream.id, nova.id, gift_named("Rose").id

    def tap(i):
        sent = gifts.send(lifecycle.get(stream_id), database.session.get(User, nova_id), rose, key)
        database.session.commit()
        return sent.row.id, sent.created

    results = run_in_parallel(tap, 20)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({row_id for row_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False] * 19 + [True]
    database.session.expire_all()
    assert (wallet_of(nova), earnings_of(luna), revenue()) == (1900, 70, 30)
    assert gift_postings() == 1
    assert database.session.scalar(sa.select(sa.func.count()).select_from(StreamGift)) == 1


def test_fifty_gifts_from_ten_viewers_at_once_each_charged_once(app, luna, make_user, run_in_parallel):
    """Ten viewers send at once, five gifts each (each viewer's 500 ms apart, the limit), every tap
    sent twice at the same moment; each gift is charged once and the board equals the ledger."""
    stream = live_stream(luna)
    viewers = [make_user(role="client", consented=True, display_name=f"Viewer {i}") for i in range(10)]
    for viewer in viewers:
        fund(viewer, 5000)
    names = ["Rose", "Heart", "Star", "Crown", "Rose"]
    prices = {g.name: g.price_cents for g in gifts.catalogue()}
    ids = {name: gift_named(name).id for name in set(names)}
    viewer_ids, stream_id = [v.id for v in viewers], stream.id

    def viewer_sends(i):
        sent = []
        for n, name in enumerate(names):
            key = str(uuid.uuid4())
            for _ in range(2):  # a double tap
                row = gifts.send(lifecycle.get(stream_id), database.session.get(User, viewer_ids[i]), ids[name], key,
                                 anonymous=(i == 0 and n == 0))  # fmt: skip
                database.session.commit()
                sent.append(row.created)
            pause()
        return sent

    results = run_in_parallel(viewer_sends, 10)
    assert all(r == [True, False] * 5 for r in results), results
    database.session.expire_all()
    each = sum(prices[name] for name in names)
    assert [wallet_of(v) for v in viewers] == [5000 - each] * 10
    assert gift_postings() == 50
    paid_in_ledger = -sum(reads.moved_for_type(accounts.wallet_spec(v), "gift") for v in viewers)
    board_total = sum(s.total_cents for s in gifts.board(stream.id, top=100))
    assert board_total == paid_in_ledger == 10 * each
    reader_part = sum(g.to_reader_cents for g in database.session.execute(sa.select(StreamGift)).scalars())
    assert earnings_of(luna) == reader_part == 10 * sum(prices[name] * 70 // 100 for name in names)
    assert revenue() == 10 * each - reader_part
    # Viewer 0's anonymous Rose is a row of its own, "Anonymous".
    rows = gifts.board(stream.id, top=100)
    assert len(rows) == 11 and [r.name for r in rows if r.anonymous] == ["Anonymous"]


def test_refusals_write_nothing(luna, nova, signed_in):
    stream = live_stream(luna)
    fund(nova, 300)
    with pytest.raises(commerce.NotEnoughFunds):
        send(stream, nova, "Star")
    database.session.rollback()
    with pytest.raises(lifecycle.StreamError) as refusal:
        send(stream, luna, "Rose")
    assert refusal.value.status == 403
    database.session.rollback()
    with pytest.raises(gifts.ConfirmGift):
        fund(nova, 3000, "more")
        send(stream, nova, "Diamond")
    database.session.rollback()
    with pytest.raises(lifecycle.StreamError) as refusal:
        gifts.send(stream, nova, gift_named("Rose").id, "not-a-uuid")
    assert refusal.value.status == 422
    database.session.rollback()
    assert gift_postings() == 0 and wallet_of(nova) == 3300
    assert database.session.scalar(sa.select(sa.func.count()).select_from(StreamGift)) == 0
    confirmed = send(stream, nova, "Diamond", confirmed=True)
    assert confirmed.created and wallet_of(nova) == 800
    lifecycle.end(luna, stream.id)
    database.session.commit()
    pause()
    with pytest.raises(lifecycle.StreamError) as refusal:
        send(stream, nova, "Rose")
    assert refusal.value.status == 409
    database.session.rollback()
    assert wallet_of(nova) == 800


def test_one_gift_per_half_second_and_120_an_hour(luna, nova, app):
    stream = live_stream(luna)
    fund(nova, 100_000)
    send(stream, nova, "Rose")
    with pytest.raises(lifecycle.StreamError) as refusal:
        send(stream, nova, "Rose")
    assert refusal.value.status == 429
    database.session.rollback()
    pause()
    send(stream, nova, "Rose")
    from soulseer.services.core import throttle

    for _ in range(118):
        throttle.moving_window().hit(gifts.HOURLY, "stream-gifts", str(stream.id), str(nova.id))
    pause()
    with pytest.raises(lifecycle.StreamError) as refusal:
        send(stream, nova, "Rose")
    assert refusal.value.status == 429 and refusal.value.retry_after > 0
    database.session.rollback()
    assert wallet_of(nova) == 100_000 - 200


def test_the_board_ranks_by_total_then_who_got_there_first(luna, nova, orla, make_user):
    stream = live_stream(luna)
    sam = make_user(role="client", consented=True, display_name="Sam")
    for person in (nova, orla, sam):
        fund(person, 5000)
    send(stream, orla, "Star")  # Orla reaches 500 first
    send(stream, nova, "Heart")
    pause()
    send(stream, nova, "Heart")  # Nova reaches 500 second
    send(stream, sam, "Rose", anonymous=True)
    top = gifts.board(stream.id)
    assert [(s.rank, s.name, s.total_cents) for s in top] == [(1, "Orla", 500), (2, "Nova", 500), (3, "Anonymous", 100)]
    rows, mine = gifts.board_for(stream.id, sam.id, top=2)
    assert [s.name for s in rows] == ["Orla", "Nova"] and [(s.rank, s.anonymous) for s in mine] == [(3, True)]


def test_sending_through_the_page(luna, nova, signed_in):
    stream = live_stream(luna)
    fund(nova, 150)
    browser, token = signed_in(nova)
    page = browser.get(f"/live/{stream.id}").get_data(as_text=True)
    rose = gift_named("Rose").id
    assert f'value="{rose}:' in page
    key = page.split(f'value="{rose}:')[1].split('"')[0]
    answer = browser.post(f"/live/{stream.id}/gifts", data={"csrf_token": token, "pick": f"{rose}:{key}"},
                          headers={"HX-Request": "true"})  # fmt: skip
    assert answer.status_code == 200 and "You sent a Rose" in answer.get_data(as_text=True)
    assert f"{rose}:{key}" not in answer.get_data(as_text=True)  # the new tray has new keys
    again = browser.post(f"/live/{stream.id}/gifts", data={"csrf_token": token, "pick": f"{rose}:{key}"},
                         headers={"HX-Request": "true"})  # fmt: skip
    assert again.status_code == 200 and wallet_of(nova) == 50  # the double tap charged once
    pause()
    poor = browser.post(f"/live/{stream.id}/gifts", data={"csrf_token": token, "pick": f"{rose}:{uuid.uuid4()}"})
    assert poor.status_code == 402 and "topup-in-place" in poor.get_data(as_text=True)
    diamond = gift_named("Diamond").id
    ask = browser.post(f"/live/{stream.id}/gifts", data={"csrf_token": token, "pick": f"{diamond}:{uuid.uuid4()}"},
                       headers={"HX-Request": "true"})  # fmt: skip
    asked = ask.get_data(as_text=True)
    assert "Tap again to send a Diamond" in asked and 'name="confirm" value="yes"' in asked
    assert wallet_of(nova) == 50 and gift_postings() == 1


def test_the_sale_is_the_last_statement_before_the_commit(luna, nova):
    """The posting locks Luna's earnings, which every gift of her stream waits for: the gift's row
    is written before it, so nothing but the commit follows it."""
    from tests.support.money import statements_after_the_sale

    stream = live_stream(luna)
    fund(nova, 1000)
    with statements_after_the_sale() as after:
        sent = gifts.send(stream, nova, gift_named("Rose").id, str(uuid.uuid4()))
    database.session.commit()
    assert after == []
    assert sent.created and (sent.row.price_cents, sent.row.to_reader_cents) == (100, 70)
    assert (wallet_of(nova), earnings_of(luna)) == (900, 70)


def test_a_gift_sent_through_the_page_reads_nothing_twice(luna, nova, signed_in):
    """The tray answered after the commit shows the catalogue, the stream and the gift this request
    read and wrote (views.commit_keeping_what_was_read): none of them is read again, nor the stream
    by the gift's publisher (it comes with the gift's row), nor the reader (she comes with the
    stream). Each statement is a round trip that, in
    a busy worker, waits its turn (make bench: gifts to 1,000 viewers)."""
    from tests.support.browse import sent_to_postgresql

    stream = live_stream(luna)
    fund(nova, 1000)
    browser, token = signed_in(nova)
    rose, path = gift_named("Rose").id, f"/live/{stream.id}/gifts"
    with sent_to_postgresql() as sent:
        answer = browser.post(path, data={"csrf_token": token, "pick": f"{rose}:{uuid.uuid4()}"},
                              headers={"HX-Request": "true"})  # fmt: skip
    assert "You sent a Rose ($1.00)" in answer.get_data(as_text=True)
    selected = [" ".join(statement.split()) for statement in sent if statement.lstrip().upper().startswith("SELECT")]
    assert sum(s.startswith("SELECT gifts.") for s in selected) == 1  # the catalogue, read once
    assert sum(s.startswith("SELECT streams.") for s in selected) == 1  # the stream with its reader, once
    assert sum(s.startswith("SELECT users.") for s in selected) == 1  # the sender (signed in)
    assert wallet_of(nova) == 900
