"""Read what Rasa's pika event broker published: the RabbitMQ queue, drained."""

from __future__ import annotations

import asyncio
import json

RABBITMQ_URL = "amqp://guest:guest@127.0.0.1:5672/"


async def _connect():  # type: ignore[no-untyped-def]
    import aio_pika

    return await aio_pika.connect(RABBITMQ_URL, timeout=5)


def rabbitmq_reachable() -> bool:
    async def probe() -> bool:
        try:
            connection = await _connect()
        except Exception:  # noqa: BLE001 - any failure means "not here"
            return False
        await connection.close()
        return True

    return asyncio.run(probe())


def drain(queue_name: str, delete: bool = False) -> list[dict]:
    """Every message waiting in ``queue_name``, as JSON."""

    async def read() -> list[dict]:
        connection = await _connect()
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue(queue_name, durable=True, passive=True)
            bodies = []
            while (message := await queue.get(no_ack=True, fail=False)) is not None:
                bodies.append(json.loads(message.body))
            if delete:
                await queue.delete(if_unused=False, if_empty=False)
            return bodies
        finally:
            await connection.close()

    return asyncio.run(read())
