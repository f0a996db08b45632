"""Reader payouts through Stripe Connect (docs/payouts.md): the reader's connected account and its
onboarding (connect), her earnings as the ledger has them (earnings), and the stand-in for Stripe
that test payouts use without Stripe keys (stand_in)."""


def init_app(app):
    from soulseer.services.payments import stripe_events
    from soulseer.services.payouts import connect

    # Connected accounts' events, from the Connect webhook (blueprints/webhooks).
    stripe_events.register_handler(app, "account.updated", connect.on_account_updated)
