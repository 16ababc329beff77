"""The MAVLink camera/stream advertisement packs into real pymavlink messages."""

from __future__ import annotations

from pathlib import Path

from pymavlink.dialects.v20 import common as mavlink

from overwatch.video import CameraIntrinsics
from simulator.camera import (
    StreamConfig,
    camera_information,
    sdp_text,
    video_stream_information,
)


def _roundtrip(message: object) -> object:
    link = mavlink.MAVLink(None, srcSystem=1, srcComponent=100)
    data = message.pack(link)  # type: ignore[attr-defined]
    return link.decode(bytearray(data))


def test_camera_and_stream_information_pack_and_decode() -> None:
    intrinsics = CameraIntrinsics(640, 480, 62.0)
    config = StreamConfig(port=5600, fps=30, sdp_path=Path("cam.sdp"))
    cam = _roundtrip(
        mavlink.MAVLink_camera_information_message(**camera_information(intrinsics).as_mavlink())
    )
    assert cam.resolution_h == 640 and cam.resolution_v == 480  # type: ignore[attr-defined]
    assert cam.flags & mavlink.CAMERA_CAP_FLAGS_HAS_VIDEO_STREAM  # type: ignore[attr-defined]
    assert 4.5 < cam.focal_length < 5.5  # type: ignore[attr-defined]
    fields = video_stream_information(config, intrinsics).as_mavlink()
    vsi = _roundtrip(mavlink.MAVLink_video_stream_information_message(**fields))
    assert vsi.type == mavlink.VIDEO_STREAM_TYPE_RTPUDP  # type: ignore[attr-defined]
    assert vsi.uri == "udp://0.0.0.0:5600"  # type: ignore[attr-defined]
    assert vsi.hfov == 62 and vsi.framerate == 30  # type: ignore[attr-defined]
    assert vsi.encoding == mavlink.VIDEO_STREAM_ENCODING_H264  # type: ignore[attr-defined]
    ts = video_stream_information(StreamConfig(transport="mpegts", port=5700), intrinsics)
    assert ts.type == mavlink.VIDEO_STREAM_TYPE_MPEG_TS and ts.uri == b"udp://127.0.0.1:5700"


def test_sdp_names_port_and_payload() -> None:
    text = sdp_text(StreamConfig(port=6000, payload_type=97))
    assert "m=video 6000 RTP/AVP 97" in text and "a=rtpmap:97 H264/90000" in text
