"""Real parallel connections: no overdraft, no lost update, no deadlock, one effect per key."""

import random

import sqlalchemy as sa

from soulseer.extensions import db as database
from soulseer.ledger import InsufficientFunds, LedgerTransaction, accounts, operations, reads
from soulseer.models import User


def test_parallel_debits_never_overdraw_and_never_lose_an_update(db, make_user, run_in_parallel):
    client, reader = make_user(role="client"), make_user(role="reader")
    operations.credit_topup(client, 1000, "topup:1", ("topup", 1))
    db.session.commit()
    client_id, reader_id = client.id, reader.id

    def debit(i):
        payer, payee = database.session.get(User, client_id), database.session.get(User, reader_id)
        operations.purchase(payer, 70, payee, 7000, f"gift:{i}", ("gift", i), "Gift")
        database.session.commit()
        return "paid"

    results = run_in_parallel(debit, 20)
    paid = results.count("paid")
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert paid == 14 and len(refused) == 6  # 14 × 70 = 980 ≤ 1000 < 15 × 70
    db.session.expire_all()
    assert reads.account_balance(accounts.wallet(client)) == 1000 - 14 * 70
    assert reads.account_balance(accounts.reader_earnings(reader)) == 14 * 49


def test_postings_over_overlapping_accounts_do_not_deadlock(db, make_user, run_in_parallel):
    users = [make_user(role="client") for _ in range(4)]
    for n, user in enumerate(users):
        operations.credit_topup(user, 10_000, f"topup:{n}", ("topup", n))
    db.session.commit()
    ids = [user.id for user in users]
    wallets = [accounts.wallet_spec(user) for user in users]

    def shuffle_money(i):
        rng = random.Random(i)
        for step in range(15):
            a, b = rng.sample(wallets, 2)
            # Each posting touches two wallets in a random direction: lock order is what saves us.
            operations.post(
                "adjustment", f"move:{i}:{step}", [(a, -10), (b, 10)], description="move", reference=("test", i)
            )
            database.session.commit()
        return "done"

    assert run_in_parallel(shuffle_money, 12) == ["done"] * 12
    db.session.expire_all()
    total = sum(reads.account_balance(accounts.wallet(database.session.get(User, uid))) for uid in ids)
    assert total == 40_000


def test_the_same_key_from_twenty_threads_moves_money_once(db, make_user, run_in_parallel):
    client = make_user(role="client")
    client_id = client.id

    def credit(i):
        posted = operations.credit_topup(database.session.get(User, client_id), 2500, "topup:cs_same", ("topup", 9))
        database.session.commit()
        return posted.created

    results = run_in_parallel(credit, 20)
    assert results.count(True) == 1 and results.count(False) == 19
    db.session.expire_all()
    assert reads.account_balance(accounts.wallet(client)) == 2500
    assert db.session.execute(sa.select(sa.func.count()).select_from(LedgerTransaction)).scalar() == 1
