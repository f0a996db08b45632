"""The shop's refusals."""

from soulseer.errors import DomainError


class ShopError(DomainError):
    """A shop request the rules refuse: a wrong field (422), sold out (409), not yours (404)."""

    status = 422
