"""Property-based: random sequences of postings, holds, settlements and releases, disputes (which
freeze spending), won disputes and lifted freezes keep every invariant, and the wallets match a
simple model of what should have happened."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from soulseer.extensions import db as database
from soulseer.ledger import InsufficientFunds, WalletFrozen, accounts, operations, reads, verify

amounts = st.integers(min_value=1, max_value=5000)
operation = st.one_of(
    st.tuples(st.just("topup"), st.integers(0, 1), amounts),
    st.tuples(st.just("purchase"), st.integers(0, 1), amounts),
    st.tuples(st.just("reserve"), st.integers(0, 1), amounts),
    st.tuples(st.just("settle"), st.integers(0, 1), st.integers(0, 100)),
    st.tuples(st.just("release"), st.integers(0, 1), st.integers(0, 100)),
    st.tuples(st.just("refund"), st.integers(0, 1), amounts),
    st.tuples(st.just("retry_last"), st.integers(0, 1), amounts),
    st.tuples(st.just("dispute"), st.integers(0, 1), amounts),
    st.tuples(st.just("dispute_won"), st.integers(0, 1), amounts),
    st.tuples(st.just("lift_freeze"), st.integers(0, 1), amounts),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(operation, min_size=1, max_size=25))
def test_random_sequences_keep_the_invariants(app, make_user, operations_list):
    with app.app_context():
        clients = [make_user(role="client") for _ in range(2)]
        reader = make_user(role="reader")
        model = {0: 0, 1: 0}  # expected wallet balances
        held = {0: 0, 1: 0}
        frozen = {0: False, 1: False}
        disputes = {0: [], 1: []}  # (key, amount) of disputes not returned yet
        last = None
        for n, (kind, who, value) in enumerate(operations_list):
            client = clients[who]
            hold_ref = ("reading", client.id * 1000 + reader.id)
            key = f"{client.id}:{n}"
            try:
                if kind == "topup":
                    last = lambda c=client, v=value, k=key: operations.credit_topup(c, v, "topup:" + k, ("topup", 1))  # noqa: E731
                    last()
                    model[who] += value
                elif kind == "purchase":
                    operations.purchase(client, value, reader, 7000, "buy:" + key, ("gift", n), "Gift")
                    model[who] -= value
                elif kind == "reserve":
                    operations.reserve(client, hold_ref, value, "reserve:" + key, "Reserve")
                    model[who] -= value
                    held[who] += value
                elif kind == "settle":
                    charge = held[who] * value // 100
                    operations.settle(client, hold_ref, charge, reader, 7000, "settle:" + key, "Settle")
                    model[who] += held[who] - charge
                    held[who] = 0
                elif kind == "release":
                    amount = held[who] * value // 100
                    if amount:
                        operations.release(client, hold_ref, amount, "release:" + key, "Release")
                        model[who] += amount
                        held[who] -= amount
                elif kind == "refund":
                    operations.debit_topup_refund(client, value, "refund:" + key, ("topup", 1))
                    model[who] -= value
                elif kind == "retry_last" and last is not None:
                    last()  # the same key again: nothing moves
                elif kind == "dispute":
                    operations.debit_dispute(client, value, "dispute:" + key, ("topup", 1))
                    model[who] -= value
                    frozen[who] = True
                    disputes[who].append(("dispute:" + key, value))
                elif kind == "dispute_won" and disputes[who]:
                    dispute_key, amount = disputes[who][0]
                    for _ in range(2):  # the same news twice: returned once
                        operations.credit_dispute_reversal(client, amount, "won:" + dispute_key, ("topup", 1))
                    model[who] += amount
                    disputes[who].pop(0)
                elif kind == "lift_freeze":
                    assert operations.lift_freeze(client) is frozen[who]
                    frozen[who] = False
                database.session.commit()
            except (InsufficientFunds, WalletFrozen):
                database.session.commit()  # refused postings write nothing; the session goes on
            for i, c in enumerate(clients):
                assert reads.account_balance(accounts.wallet(c)) == model[i]
                assert accounts.wallet(c).frozen is frozen[i]
        failed = [check.name for check in verify.run() if not check.ok]
        assert failed == []
        database.session.remove()
    _truncate_between_examples(app)


def _truncate_between_examples(app):
    """Hypothesis runs many examples inside one test; start each from empty tables."""
    from tests.support.database import empty_tables

    with app.app_context(), database.engine.begin() as conn:
        empty_tables(conn)
