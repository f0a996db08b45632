"""streams help: private streams, muting and banning in the Help page's "Live streams and gifts"

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 06:40:00

Where nobody has edited the Help page, its "Live streams and gifts" section now tells viewers and
readers of private streams (invitations) and of muting and banning a viewer (docs/streams.md).
"""

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


# The section as migration 0024 wrote it.
HELP_BEFORE = """\
## Live streams and gifts

**Viewers:** readers who are live now are on the **Live** page, with the streams they have
announced (choose **Remind me** to be told 15 minutes before and when one starts). Open a stream
to watch, chat and send gifts from your wallet (a Rose is $1, a Diamond $25); the reader keeps her
share of each gift and everyone in the stream sees it arrive, with your name or, if you tick
**Send anonymously**, as "Anonymous". A double tap sends one gift, never two, and a gift of $25 or
more asks you to tap again to be sure. The **Top gifters** board shows who gave most in this
stream. A **premium** stream has an entry price: it is set aside from your wallet and paid to the
reader only once the stream has run 5 minutes; you get it all back if the stream is cancelled,
has not started 30 minutes after its time, or ends within 5 minutes, and you may leave and come
back without paying again. Report any chat line that breaks the rules.

**Readers:** from your dashboard choose **Go live or schedule a stream**: give it a title, public
or premium (with an entry price from $1 to $50) and, if you like, a start time. Your studio shows
your camera; press **Go live** when you are ready (from 10 minutes before the time you announced),
and **End the stream** when you are done. While you are live, clients cannot request readings from
you. You can remove lines from your stream's chat. Streaming needs the site's video service: if it
is not set up, the Live page says so.
"""


def upgrade():
    from soulseer.content_pages import HELP_STREAMS, revise_unedited_page

    revise_unedited_page(op.get_bind(), "help", HELP_BEFORE, HELP_STREAMS)


def downgrade():
    pass  # the Help page's words stay: an admin may have edited them since
