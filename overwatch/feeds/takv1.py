"""TAK protocol version 1: Cursor-on-Target as protobuf (``TakMessage``).

ATAK can switch its mesh (UDP) and its TAK server streams (TCP) from XML to
protobuf. Every message then starts with the magic byte ``0xbf``:

- **mesh** (one UDP datagram): ``0xbf 0x01 0xbf`` then one ``TakMessage``
  (the ``0x01`` is the protocol version, as a varint);
- **stream** (TCP): ``0xbf``, the message length as a protobuf varint, then
  one ``TakMessage``.

The message classes come from the ``takproto`` package (the ``tak`` extra);
the framing is done here, with bounded sizes, so that a bad length cannot make
a feed wait or allocate without limit. :func:`decode_tak_message` raises
:class:`~overwatch.errors.MessageError` for anything malformed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from overwatch.errors import TakProtocolError

MAGIC = 0xBF
MESH_HEADER = b"\xbf\x01\xbf"
#: the longest TAK message accepted, bytes (XML or protobuf, either framing)
MAX_MESSAGE_BYTES = 65536
#: a varint for lengths up to MAX_MESSAGE_BYTES takes at most this many bytes
_MAX_VARINT_BYTES = 3


@cache
def tak_message_class() -> Any:
    """``takproto``'s ``TakMessage`` class; a one-line :class:`MessageError` without it."""
    try:
        from takproto.proto import TakMessage
    except ImportError:
        raise TakProtocolError(
            "TAK protocol v1 (protobuf) needs the takproto package: pip install 'overwatch[tak]'"
        ) from None
    return TakMessage


def read_varint(data: bytes | bytearray, pos: int) -> tuple[int, int] | None:
    """The protobuf varint at ``data[pos:]`` and the position after it.

    ``None`` when the varint is not complete yet; :class:`TakProtocolError`
    when it is longer than any length this module accepts.

    >>> read_varint(b"\\xbf\\xac\\x02", 1)
    (300, 3)
    """
    value = 0
    for i in range(_MAX_VARINT_BYTES):
        if pos + i >= len(data):
            return None
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, pos + i + 1
    raise TakProtocolError(f"TAK stream length varint longer than {_MAX_VARINT_BYTES} bytes")


def encode_varint(value: int) -> bytes:
    """``value`` (≥ 0) as a protobuf varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_tak_message(payload: bytes) -> Any:
    """One serialized ``TakMessage`` (no header) → the message object.

    Raises :class:`TakProtocolError` when it is not a valid message or
    carries no CoT event.
    """
    if len(payload) > MAX_MESSAGE_BYTES:
        raise TakProtocolError(
            f"TAK message of {len(payload)} bytes (expected at most {MAX_MESSAGE_BYTES})"
        )
    message = tak_message_class()()
    try:
        message.ParseFromString(payload)
    except Exception as exc:  # protobuf's DecodeError, and whatever a corrupt buffer raises
        raise TakProtocolError(f"TAK protocol v1 message does not decode: {exc}") from None
    if not message.HasField("cotEvent"):
        raise TakProtocolError("TAK protocol v1 message carries no CoT event")
    return message


def mesh_payload(datagram: bytes) -> bytes:
    """The ``TakMessage`` bytes of a mesh datagram (``0xbf 0x01 0xbf`` + message)."""
    if not datagram.startswith(MESH_HEADER):
        version = datagram[1] if len(datagram) > 1 else None
        raise TakProtocolError(
            f"TAK mesh header is {datagram[:3].hex()}, expected bf01bf"
            + (
                f" (protocol version {version} is not supported)"
                if version not in (None, 1)
                else ""
            )
        )
    return datagram[len(MESH_HEADER) :]


def mesh_frame(payload: bytes) -> bytes:
    """``payload`` (a serialized ``TakMessage``) framed for the mesh (UDP)."""
    return MESH_HEADER + payload


def stream_frame(payload: bytes) -> bytes:
    """``payload`` (a serialized ``TakMessage``) framed for a TAK stream (TCP)."""
    return bytes([MAGIC]) + encode_varint(len(payload)) + payload
