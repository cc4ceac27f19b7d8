"""Real files for upload tests: JPEGs as phones make them (EXIF orientation, GPS), and worse."""

import hashlib
import io
import struct
import zlib

from PIL import Image

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def phone_photo(
    width: int = 64, height: int = 32, color: tuple[int, int, int] = (200, 30, 30)
) -> bytes:
    """A JPEG stored sideways with orientation 6 (turn 90° to show), and where it was taken."""
    image = Image.new("RGB", (width, height), color)
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    gps = exif.get_ifd(GPS_IFD)
    gps.update({1: "N", 2: (22.0, 32.0, 0.0), 3: "E", 4: (114.0, 3.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def pixel_bomb() -> bytes:
    """A PNG of a few bytes whose header claims 50,000 x 50,000 pixels (2.5 gigapixels)."""
    buffer = io.BytesIO()
    Image.new("1", (1, 1)).save(buffer, "PNG")
    png = buffer.getvalue()
    # The IHDR chunk follows the 8-byte signature: length (4), type (4), width, height, ...
    header = b"IHDR" + struct.pack(">II", 50_000, 50_000) + png[24:29]
    return png[:12] + header + struct.pack(">I", zlib.crc32(header)) + png[33:]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
