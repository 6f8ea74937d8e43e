"""The Channels plugin that carries live attendance: memory for one process, Redis (pub/sub)
when FAIRS_REDIS_URL is set, so every worker's stream hears every worker's admissions."""

from __future__ import annotations

from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

from . import live


def plugin(redis_client=None) -> ChannelsPlugin:
    if redis_client is not None:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend

        backend = RedisChannelsPubSubBackend(redis=redis_client)
    else:
        backend = MemoryChannelsBackend()
    channels = ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True,
                              subscriber_max_backlog=100, subscriber_backlog_strategy="dropleft")

    def publish(fair_id: int) -> None:
        channels.publish(b"changed", live.channel_name(fair_id))

    live.publisher = publish
    return channels
