"""The embedded default's Celery broker: kombu's filesystem transport, except that each
message is written under a temporary name and renamed into place.

kombu's own transport creates the message file and then locks and writes it; a worker
polling in between reads an empty file, loses the task and stops with a JSON error
(kombu issue #1551, open). A rename is atomic on one file system, so a worker sees a
message whole or not at all. Registered as the ``filesystem-atomic`` transport in
``factcheck/celery.py``; with ``REDIS_URL`` set, Redis is the broker and this is unused.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        """Put ``payload`` onto ``queue``: written beside, then renamed into place (a
        name not ending in ``.<queue>.msg`` is never read as a message)."""
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
