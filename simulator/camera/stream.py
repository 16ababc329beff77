"""Encode frames to H.264 (libx264 via PyAV) and send them as RTP or MPEG-TS over UDP.

Low-latency settings: ``ultrafast`` preset, ``zerolatency`` tune (no B-frames,
no lookahead), a keyframe every ``keyframe_interval_s`` with SPS/PPS repeated
in-band so a receiver can join at any keyframe. Each access unit carries the
capture stamp as an SEI message (see :mod:`simulator.camera.stamp_sei`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import av
import numpy as np

from overwatch.camera import CaptureStamp, RgbImage
from simulator.camera.stamp_sei import insert_stamp

Transport = Literal["rtp", "mpegts"]


@dataclass(frozen=True)
class StreamConfig:
    """Where and how to stream (pixels, frames per second, bits per second).

    ``transport`` ``"rtp"`` sends RTP/H.264 (RFC 6184, payload type
    ``payload_type``) to ``host:port`` (RTCP on ``port + 1``) and writes
    ``sdp_path`` if given; ``"mpegts"`` sends MPEG-TS in UDP datagrams of 7 TS packets.
    """

    host: str = "127.0.0.1"
    port: int = 5600
    transport: Transport = "rtp"
    width_px: int = 640
    height_px: int = 480
    fps: int = 15
    bitrate_bps: int = 2_000_000
    keyframe_interval_s: float = 1.0
    payload_type: int = 96
    sdp_path: Path | None = None

    def __post_init__(self) -> None:
        if self.transport not in ("rtp", "mpegts"):
            raise ValueError(f"transport must be 'rtp' or 'mpegts', got {self.transport!r}")
        if not 1 <= self.fps <= 120:
            raise ValueError(f"fps must be in 1..120, got {self.fps}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port must be in 1..65535, got {self.port}")
        if self.width_px % 2 or self.height_px % 2:
            raise ValueError(
                f"H.264 4:2:0 needs an even resolution, got {self.width_px}x{self.height_px}"
            )

    @property
    def uri(self) -> str:
        """The receiver's URI: the SDP file for RTP (if written), else ``udp://host:port``."""
        if self.transport == "rtp" and self.sdp_path is not None:
            return str(self.sdp_path)
        return f"udp://{self.host}:{self.port}"


def sdp_text(config: StreamConfig) -> str:
    """An SDP description a receiver (FFmpeg, GStreamer, VLC) can open for the RTP stream."""
    pt = config.payload_type
    return (
        "v=0\r\n"
        f"o=- 0 0 IN IP4 {config.host}\r\n"
        "s=Overwatch synthetic camera\r\n"
        f"c=IN IP4 {config.host}\r\n"
        "t=0 0\r\n"
        f"m=video {config.port} RTP/AVP {pt}\r\n"
        f"a=rtpmap:{pt} H264/90000\r\n"
        f"a=fmtp:{pt} packetization-mode=1\r\n"
        f"a=framerate:{config.fps}\r\n"
    )


def gstreamer_caps(config: StreamConfig) -> str:
    """The ``udpsrc caps=`` string for a GStreamer receiver of the RTP stream."""
    return (
        "application/x-rtp,media=video,clock-rate=90000,"
        f"encoding-name=H264,payload={config.payload_type}"
    )


class H264Streamer:
    """Encodes RGB frames and sends them; use as a context manager or call :meth:`close`."""

    def __init__(self, config: StreamConfig) -> None:
        self.config = config
        if config.transport == "rtp":
            url = f"rtp://{config.host}:{config.port}?pkt_size=1200"
            self._out = av.open(url, "w", format="rtp")
            if config.sdp_path is not None:
                config.sdp_path.write_text(sdp_text(config))
        else:
            url = f"udp://{config.host}:{config.port}?pkt_size=1316"
            self._out = av.open(url, "w", format="mpegts", options={"flush_packets": "1"})
        gop = max(1, round(config.fps * config.keyframe_interval_s))
        self._stream = self._out.add_stream(
            "libx264",
            rate=config.fps,
            options={
                "preset": "ultrafast",
                "tune": "zerolatency",
                "g": str(gop),
                "keyint_min": str(gop),
                "x264-params": f"repeat-headers=1:vbv-maxrate={config.bitrate_bps // 1000}"
                f":vbv-bufsize={config.bitrate_bps // 2000}",
            },
        )
        self._stream.width = config.width_px
        self._stream.height = config.height_px
        self._stream.pix_fmt = "yuv420p"
        self._stream.bit_rate = config.bitrate_bps
        self._frame_count = 0
        self._closed = False
        self.bytes_sent = 0

    def send(self, rgb: RgbImage, stamp: CaptureStamp) -> None:
        """Encode one ``H × W × 3`` uint8 RGB frame and send it with its capture stamp."""
        if rgb.shape != (self.config.height_px, self.config.width_px, 3):
            raise ValueError(
                f"frame shape {rgb.shape} does not match the stream "
                f"({self.config.height_px}, {self.config.width_px}, 3)"
            )
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
        frame.pts = self._frame_count
        self._frame_count += 1
        for packet in self._stream.encode(frame):
            self._mux(packet, stamp)

    def _mux(self, packet: Any, stamp: CaptureStamp) -> None:
        stamped = av.Packet(insert_stamp(bytes(packet), stamp))
        stamped.pts = packet.pts
        stamped.dts = packet.dts
        stamped.time_base = packet.time_base
        stamped.is_keyframe = packet.is_keyframe
        stamped.stream = self._stream
        self.bytes_sent += stamped.size
        self._out.mux(stamped)

    def close(self) -> None:
        """Stop: flush nothing further (a live stream drops the encoder's tail) and close."""
        if not self._closed:
            self._closed = True
            self._out.close()

    def __enter__(self) -> H264Streamer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
