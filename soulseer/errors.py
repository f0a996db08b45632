"""One base for every refusal the domain gives a person (docs/architecture.md, "Errors").

A service raises a DomainError when something cannot happen: the message is written for the
person, `field` names the form field it belongs to (None: the form as a whole), and `status` is
the HTTP status a view answers with. Nothing has been changed when one is raised (the caller
rolls back). Views render it with `soulseer.views.domain_error()`.
"""


class DomainError(Exception):
    status = 409

    def __init__(self, message, field=None, status=None):
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status
