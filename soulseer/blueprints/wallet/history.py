from flask import Response, make_response, request, url_for
from flask_login import current_user

from soulseer import signed_in_responses
from soulseer.blueprints.wallet import bp
from soulseer.extensions import htmx
from soulseer.models import Role
from soulseer.services.payments import wallet
from soulseer.views import page_number, render, role_required


@bp.get("")
@role_required(Role.CLIENT)
def index():
    history_filter = wallet.HistoryFilter.from_args(request.args)
    page = page_number()
    rows, has_next = wallet.history_page(current_user, history_filter, page)
    response = make_response(
        render(
            "wallet/index.html",
            "wallet/_history.html",
            balance=wallet.balance(current_user),
            frozen=wallet.is_frozen(current_user),
            rows=rows,
            page=page,
            has_next=has_next,
            history_filter=history_filter,
            kind_filters=wallet.KIND_FILTERS,
            directions=wallet.DIRECTIONS,
        )
    )
    if htmx and not htmx.boosted:
        # Filters and pages go into history with their own URL, not every empty form field.
        response.headers["HX-Push-Url"] = url_for(
            "wallet.index", page=page if page > 1 else None, **history_filter.as_args()
        )
    else:
        # Her page may be given to her again before Flask while her header versions stand: every
        # posting that moves her wallet moves hers, and so does her wallet frozen or freed, her user
        # row, her bell and messages (services/core/header_versions.py).
        signed_in_responses.keep_her_page(WALLET_QUERY)
    return response


# The query of the page's own links and filters.
WALLET_QUERY = frozenset({"kind", "direction", "from", "to", "page"})


@bp.get("/history.csv")
@role_required(Role.CLIENT)
def history_csv():
    # One line per reading, as the page shows it; ?detail=1 for every ledger line under them.
    detail = request.args.get("detail") == "1"
    body = wallet.history_csv(current_user, wallet.HistoryFilter.from_args(request.args), detail=detail)
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": 'attachment; filename="soulseer-wallet-history.csv"',
            "Cache-Control": "no-store",
        },
    )
