"""Small but well-formed media for simulated users, and image sizes of uploaded files."""

from __future__ import annotations

import base64
import struct
import zlib

# A 1x1 lossless WebP (the image browsers are commonly probed with).
_WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
VOICE_SECONDS = 1


def sample_png(width: int = 96, height: int = 64) -> bytes:
    """A real RGB PNG with a gentle gradient, so a preview visibly shows something."""
    rows = b"".join(
        b"\x00" + bytes(channel for x in range(width) for channel in (40 + x, 120, 200 - y))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _ogg_crc(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
            crc &= 0xFFFFFFFF
    return crc


def _ogg_page(packets: list[bytes], *, flags: int, granule: int, sequence: int) -> bytes:
    segments = b"".join(bytes([255] * (len(p) // 255) + [len(p) % 255]) for p in packets)
    header = struct.pack(
        "<4sBBqIIIB", b"OggS", 0, flags, granule, 0x5EED, sequence, 0, len(segments)
    )
    page = header + segments + b"".join(packets)
    return page[:22] + struct.pack("<I", _ogg_crc(page)) + page[26:]


def sample_ogg() -> bytes:
    """A valid one-second Ogg Opus stream of silence (as a voice note would be)."""
    pre_skip = 312
    head = struct.pack("<8sBBHIhB", b"OpusHead", 1, 1, pre_skip, 48000, 0, 0)
    vendor = b"coproduce-simulator"
    tags = struct.pack("<8sI", b"OpusTags", len(vendor)) + vendor + struct.pack("<I", 0)
    # A bare TOC byte is a zero-length (silent) 20 ms frame.
    frames = [b"\xf8"] * (50 * VOICE_SECONDS)
    return (
        _ogg_page([head], flags=0x02, granule=0, sequence=0)
        + _ogg_page([tags], flags=0, granule=0, sequence=1)
        + _ogg_page(frames, flags=0x04, granule=48000 * VOICE_SECONDS + pre_skip, sequence=2)
    )


def sample_webp() -> bytes:
    """A tiny valid WebP for stickers."""
    return _WEBP


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG or JPEG image, or None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        index = 2
        while index + 9 < len(data):
            if data[index] != 0xFF:
                return None
            marker = data[index + 1]
            (length,) = struct.unpack(">H", data[index + 2 : index + 4])
            # SOF0..SOF15 carry the frame size, except DHT (C4), JPG (C8) and DAC (CC).
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[index + 5 : index + 9])
                return int(width), int(height)
            index += 2 + int(length)
    return None
