"""A tiny RTSP server (GStreamer's, via system python3-gi) relaying an RTP/H.264 UDP stream.

Run with the system interpreter: ``/usr/bin/python3 rtsp_relay.py RTSP_PORT UDP_PORT``.
Serves ``rtsp://127.0.0.1:RTSP_PORT/cam``; prints ``ready`` once listening.
Test helper only (needs gir1.2-gst-rtsp-server-1.0).
"""

import sys

import gi  # type: ignore[import-not-found]

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # type: ignore[import-not-found]  # noqa: E402


def main() -> None:
    rtsp_port, udp_port = sys.argv[1], int(sys.argv[2])
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(rtsp_port)
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f"( udpsrc address=127.0.0.1 port={udp_port} "
        'caps="application/x-rtp,media=video,clock-rate=90000,encoding-name=H264,payload=96" '
        "! rtph264depay ! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_shared(True)
    server.get_mount_points().add_factory("/cam", factory)
    server.attach(None)
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main()
