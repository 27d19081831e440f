"""kombu's Redis transport with one repair: a worker survives losing Redis mid-task.

When the connection to Redis drops while tasks are unacknowledged (acks_late), kombu closes
the channel after it has already released the connection, then asks that connection for a new
client to put the unacknowledged messages back. The connection has no client by then, so an
AttributeError escapes the worker's error handling and the worker exits ("Unrecoverable
error"), leaving nobody to send anything once Redis is back. Seen with kombu 5.7 when Redis was
restarted under load (tests/notifications/test_worker_proofs.py).

Skipping the put-back loses nothing: kombu keeps each unacknowledged message in Redis itself
(the ``unacked`` hash) and any worker restores it after the visibility timeout; and if Redis
itself restarted empty, the outbox sweep sends again whatever is still queued.
"""

import logging

from kombu.transport import redis

logger = logging.getLogger(__name__)


class QoS(redis.QoS):
    def restore_unacked(self, client=None):  # type: ignore[no-untyped-def]
        if client is None and self.channel.connection.client is None:
            logger.warning(
                "Broker connection already closed: %d unacknowledged message(s) are left to the "
                "visibility timeout",
                len(self._delivered),
            )
            self._delivered.clear()
            return
        super().restore_unacked(client)


class Channel(redis.Channel):
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel


def transport_for(broker_url: str) -> str | None:
    """The transport to name in CELERY_BROKER_TRANSPORT: ours for Redis, kombu's choice else."""
    return "config.broker:Transport" if broker_url.startswith(("redis://", "rediss://")) else None
