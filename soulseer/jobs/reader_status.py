"""Periodic: online readers with no activity for 10 minutes go offline (services/marketplace/reader_status.py)."""

from soulseer.jobs import with_app_context
from soulseer.services.marketplace import reader_status


@with_app_context
def offline_idle_readers():
    return reader_status.offline_idle_readers()
