"""The Redis transport's repair (config/broker.py): closing a channel whose connection is
already gone keeps the worker alive and leaves the unacknowledged message in Redis."""

import os
import subprocess
import sys
import uuid

import redis
from django.conf import settings
from kombu import Connection, Exchange, Queue

from config.broker import transport_for


def test_redis_urls_get_the_repaired_transport():
    assert transport_for("redis://127.0.0.1:6379/0") == "config.broker:Transport"
    assert transport_for("rediss://cache.example:6380/1") == "config.broker:Transport"
    assert transport_for("filesystem://") is None


def test_the_local_filesystem_broker_writes_under_var_not_the_working_directory(tmp_path):
    """kombu's filesystem transport writes its exchange tables to ./control unless told."""
    workdir, var = tmp_path / "checkout", tmp_path / "var"
    workdir.mkdir()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "CELERY_BROKER_URL", "DATABASE_URL")
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.local", VAR_DIR=str(var))
    # A broadcast (what `celery inspect` sends) declares the control exchanges.
    script = "import django; django.setup(); from config.celery_app import app; app.control.ping(timeout=0.1)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert list(workdir.iterdir()) == []
    assert list((var / "broker" / "control").glob("*.exchange"))


def test_closing_after_the_connection_is_released_keeps_the_unacked_message():
    queue_name = f"broker-test-{uuid.uuid4().hex[:8]}"
    queue = Queue(queue_name, Exchange(queue_name), routing_key=queue_name)
    with Connection(settings.REDIS_URL, transport="config.broker:Transport") as connection:
        channel = connection.channel()
        producer = connection.Producer(channel)
        producer.publish({"n": 1}, exchange=queue.exchange, routing_key=queue_name, declare=[queue])
        message = channel.basic_get(queue_name, no_ack=False)
        assert message is not None
        unacked_key = channel.unacked_key
        tag = message.delivery_tag
        # What kombu does on a lost connection: the channel outlives its connection's client.
        channel.connection.client = None
        channel.close()  # kombu's own transport raises AttributeError here
    server = redis.Redis.from_url(settings.REDIS_URL)
    try:
        # Still held in Redis, so the visibility timeout hands it out again.
        assert server.hexists(unacked_key, tag)
    finally:
        server.hdel(unacked_key, tag)
        server.zrem(f"{unacked_key}_index", tag)
        server.delete(queue_name)
