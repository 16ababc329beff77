"""Patrol position feeds (gpsd, NMEA 0183, Cursor-on-Target) and CoT output.

Open a feed from its URL and iterate its fixes::

    feed = open_feed("gpsd://127.0.0.1:2947")
    async with contextlib.aclosing(feed.fixes()) as fixes:
        async for fix in fixes:
            print(fix.lat_deg, fix.lon_deg, feed.status().state)
"""

from overwatch.errors import CotError, NmeaError
from overwatch.feeds.base import Feed, StreamFeed
from overwatch.feeds.cot_in import CotTcpFeed, CotUdpFeed
from overwatch.feeds.cot_out import (
    CotTcpSender,
    CotUdpSender,
    SensorView,
    cue_event,
    drone_event,
    footprint_event,
    patrol_event,
)
from overwatch.feeds.cot_xml import CotEvent, CotStreamSplitter, parse_cot_event
from overwatch.feeds.fix import FeedState, FeedStats, FeedStatus, PatrolFix
from overwatch.feeds.gpsd import GpsdFeed
from overwatch.feeds.guard import FixGuard, GuardConfig
from overwatch.feeds.nmea import NmeaAssembler, NmeaDecoder, parse_sentence
from overwatch.feeds.nmea_feed import NmeaSerialFeed, NmeaTcpFeed, NmeaUdpFeed
from overwatch.feeds.url import open_feed

__all__ = [
    "CotError",
    "CotEvent",
    "CotStreamSplitter",
    "CotTcpFeed",
    "CotTcpSender",
    "CotUdpFeed",
    "CotUdpSender",
    "Feed",
    "FeedState",
    "FeedStats",
    "FeedStatus",
    "FixGuard",
    "GpsdFeed",
    "GuardConfig",
    "NmeaAssembler",
    "NmeaDecoder",
    "NmeaError",
    "NmeaSerialFeed",
    "NmeaTcpFeed",
    "NmeaUdpFeed",
    "PatrolFix",
    "SensorView",
    "StreamFeed",
    "cue_event",
    "drone_event",
    "footprint_event",
    "open_feed",
    "parse_cot_event",
    "parse_sentence",
    "patrol_event",
]
