"""Payments: the wallet, top-ups through Stripe (or the test stand-in), Stripe events, the admin's ledger tools."""
