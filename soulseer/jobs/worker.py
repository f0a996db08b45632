"""The RQ worker class the Procfile runs: `rq worker -w soulseer.jobs.worker.Worker`."""

import rq

from soulseer.jobs import job_app


class Worker(rq.Worker):
    """Builds the application once in the parent, so every forked job starts warm.

    The parent never touches the database, so a forked job never inherits an open connection.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.app = job_app()
