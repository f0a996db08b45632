"""One base for every refusal the domain gives a person (docs/architecture.md, "Errors").

A service raises a DomainError when something cannot happen: the message is written for the
person, `field` names the form field it belongs to (None: the form as a whole), `status` is the
HTTP status a view answers with, and `retry_after` (seconds) goes with a 429. Nothing has been
changed when one is raised: the view rolls back. Views answer it with `soulseer.views.refused()`.

A subclass exists where a caller must tell it apart or where an area's refusals share a status
(or a field): it sets `status` (and `field`) as class attributes, with no `__init__` of its own.
"""


class DomainError(Exception):
    status = 409
    field = None

    def __init__(self, message, field=None, status=None, retry_after=None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field
        if status is not None:
            self.status = status
        self.retry_after = retry_after

    def __str__(self):
        return self.message
