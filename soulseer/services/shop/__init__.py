"""The shop (PRODUCT.md §9; docs/shop.md): products from the platform and readers, bought from the
wallet through commerce, digital files delivered through counted downloads, physical goods shipped.

errors.py       ShopError, the area's refusal
products.py     the rules of a product (price, kind, stock, category, text), creating and editing
files.py        a digital product's file (checked by content) and its picture (re-encoded)
catalogue.py    what visitors see: browse with filters, search and pages, one product, featured
buying.py       "Buy now" from the wallet: one transaction, stock decremented only if enough
checkout.py     "Pay by card" through Stripe Checkout: stock reserved, paid only by the webhook
downloads.py    download grants: counted by the server, then a short-lived signed link
orders.py       the buyer's orders, the admin's list, shipping
refunds.py      refunds (whole order or an item) and cancelling before shipment, through commerce
moderation.py   "Report a problem with this order" in the one moderation queue
export.py       the buyer's orders in "export my data"
"""


def init_app(app):
    from soulseer.services import commerce
    from soulseer.services.core import ticks
    from soulseer.services.shop import card_refunds, checkout, export  # noqa: F401  (export registers its section)
    from soulseer.services.shop.moderation import register_kinds, register_product_kind

    register_kinds()  # "Report a problem with this order", in the one moderation queue
    register_product_kind()  # products: screened, reportable, hideable
    checkout.register_events(app)  # card-paid orders' Stripe events, beside top-ups'
    # Card refunds asked of Stripe whose charge.refunded has not come: the seller's part waits.
    commerce.register_pending_refunds(app, "shop card refunds", lambda: [("order", card_refunds.in_progress())])
    ticks.register(app, "shop", checkout.tick)  # reservations whose expiry event never came
