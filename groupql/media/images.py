"""What a file really is, read from its bytes; and uploaded images made safe to serve."""

import asyncio
import io
import zipfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
WEBP = "image/webp"

# Brands of an ISO media file's ftyp box. The major brand decides; a file whose major brand is
# not here (a camera maker's own) is judged by its compatible brands.
_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"hevc": "image/heic-sequence",
    b"hevx": "image/heic-sequence",
    b"mif1": "image/heif",
    b"msf1": "image/heif-sequence",
    b"avif": "image/avif",
    b"qt  ": "video/quicktime",
    b"M4A ": "audio/mp4",
    **dict.fromkeys(
        [b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash"],
        "video/mp4",
    ),
}
_OOXML = "application/vnd.openxmlformats-officedocument"
_OFFICE_PARTS = {
    "word/document.xml": f"{_OOXML}.wordprocessingml.document",
    "xl/workbook.xml": f"{_OOXML}.spreadsheetml.sheet",
    "ppt/presentation.xml": f"{_OOXML}.presentationml.presentation",
}


def sniff(data: bytes) -> str | None:
    """The MIME type the bytes' magic number names, or None for anything else (executables too)."""
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp":
        return _iso_media_type(data)
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_type(data)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # Legacy .doc/.xls/.ppt (still common from WPS), but also .msi: telling them apart
        # means reading the container's directory, so the honest answer is the container.
        return "application/x-ole-storage"
    return None


def _iso_media_type(data: bytes) -> str | None:
    box_end = min(int.from_bytes(data[:4], "big"), len(data), 256)
    brands = [data[8:12]] + [data[i : i + 4] for i in range(16, box_end - 3, 4)]
    return next((_FTYP_BRANDS[brand] for brand in brands if brand in _FTYP_BRANDS), None)


def _zip_type(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "application/zip"
    if "[Content_Types].xml" in names:
        for part, mime in _OFFICE_PARTS.items():
            if part in names:
                return mime
    return "application/zip"


class NotAnImage(ValueError):
    def __init__(self) -> None:
        super().__init__(
            "The file is not a whole JPEG, PNG, GIF or WebP image; "
            "choose the photo again (HEIC photos: let the phone convert them)."
        )


class ImageTooLarge(ValueError):
    def __init__(self, max_pixels: int) -> None:
        super().__init__(
            f"The image has more than {max_pixels / 1e6:g} million pixels; send a smaller one."
        )
        self.max_pixels = max_pixels


@dataclass(frozen=True)
class ProcessedImage:
    """An image ready to serve; `thumbnails` are JPEGs by the longest side asked for (an image
    smaller than a side keeps its size: thumbnails are never enlarged)."""

    mime: str
    width: int
    height: int
    data: bytes = field(repr=False)
    thumbnails: dict[int, bytes] = field(repr=False)


# Pillow name → what we save it as. A GIF becomes its first frame as a PNG: every further frame
# is another full decode (a small GIF can hold thousands), the album shows stills, and PNG keeps
# that frame exactly, transparency included. Animated WebP and APNG keep their first frame too.
_OUTPUT = {"JPEG": ("JPEG", JPEG), "PNG": ("PNG", PNG), "GIF": ("PNG", PNG), "WEBP": ("WEBP", WEBP)}
_QUALITY = 85
_COLOR_SPACE = {"RGB": "rgb", "RGBA": "rgb", "P": "rgb", "PA": "rgb", "L": "gray", "LA": "gray"}
_THUMBNAIL_MODES = frozenset(_COLOR_SPACE) - {"P", "PA"}

# Decoding holds width * height * 4 bytes and more (160 MB at 40 megapixels): two images at a
# time bound that memory, and keep the default thread pool free for file and network IO.
_IMAGE_WORKERS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="groupql-images")


async def process_image_async(
    data: bytes, *, max_pixels: int = 40_000_000, thumbnail_sides: Iterable[int] = (240, 720)
) -> ProcessedImage:
    """`process_image` on a worker thread: decoding and encoding are CPU-bound."""
    sides = tuple(thumbnail_sides)
    return await asyncio.get_running_loop().run_in_executor(
        _IMAGE_WORKERS,
        lambda: process_image(data, max_pixels=max_pixels, thumbnail_sides=sides),
    )


def process_image(
    data: bytes, *, max_pixels: int = 40_000_000, thumbnail_sides: Iterable[int] = (240, 720)
) -> ProcessedImage:
    """The image re-encoded upright and without metadata (EXIF, GPS, XMP, comments), and its
    thumbnails. The ICC colour profile stays, so phone photos in Display P3 keep their colours.

    Raises `ImageTooLarge` before any pixel is decoded, and `NotAnImage` for anything that is
    not a whole JPEG, PNG, GIF or WebP image (HEIC and AVIF included)."""
    sides = sorted(set(thumbnail_sides), reverse=True)
    if any(side < 1 for side in sides):
        raise ValueError(f"Thumbnail sides must be positive, not {sides}.")
    image = _decode_upright(data, max_pixels)
    pillow_format, mime = _OUTPUT[image.format or ""]
    icc = image.info.get("icc_profile")
    # Only what the encoders need to draw the pixels right survives.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    return ProcessedImage(
        mime=mime,
        width=image.width,
        height=image.height,
        data=_encode(image, pillow_format, icc),
        thumbnails=_thumbnails(image, sides, icc),
    )


def _decode_upright(data: bytes, max_pixels: int) -> ImageFile.ImageFile:
    try:
        # Image.open reads only the header. Naming the formats keeps Pillow's other parsers
        # (EPS, which runs Ghostscript, PSD, TGA, ...) away from untrusted bytes.
        image = Image.open(io.BytesIO(data), formats=list(_OUTPUT))
    except Image.DecompressionBombError:  # Pillow's own limit, far above ours: 179 megapixels
        raise ImageTooLarge(max_pixels) from None
    except (UnidentifiedImageError, OSError):
        raise NotAnImage() from None
    if image.width * image.height > max_pixels:
        raise ImageTooLarge(max_pixels)
    try:
        image.load()  # a truncated file fails here: Pillow's LOAD_TRUNCATED_IMAGES stays off
        ImageOps.exif_transpose(image, in_place=True)
    except Image.DecompressionBombError:
        raise ImageTooLarge(max_pixels) from None
    except Exception as error:  # hostile bytes break Pillow's decoders in many different ways
        raise NotAnImage() from error
    return image


def _encode(image: Image.Image, pillow_format: str, icc: bytes | None) -> bytes:
    source_mode = image.mode
    if pillow_format == "JPEG" and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")  # CMYK: the most compatible JPEG is RGB
    options: dict[str, object] = {"icc_profile": _profile_for(icc, source_mode, image.mode)}
    if pillow_format == "JPEG":
        options |= {"quality": _QUALITY, "progressive": True, "optimize": True}
    elif pillow_format == "WEBP":
        options |= {"quality": _QUALITY}
    buffer = io.BytesIO()
    image.save(buffer, pillow_format, **options)
    return buffer.getvalue()


def _thumbnails(image: Image.Image, sides: list[int], icc: bytes | None) -> dict[int, bytes]:
    base = image
    if base.mode not in _THUMBNAIL_MODES:  # palettes resize badly (nearest neighbour only)
        base = base.convert("RGBA" if base.has_transparency_data else "RGB")
    thumbnails = {}
    for side in sides:  # largest first, each made from the one before: far less work
        size = _fitted(base.size, side)
        if size != base.size:
            base = base.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)
        flat = _on_white(base)
        buffer = io.BytesIO()
        flat.save(
            buffer,
            "JPEG",
            quality=_QUALITY,
            progressive=True,
            optimize=True,
            icc_profile=_profile_for(icc, image.mode, flat.mode),
        )
        thumbnails[side] = buffer.getvalue()
    return thumbnails


def _fitted(size: tuple[int, int], side: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _on_white(image: Image.Image) -> Image.Image:
    if image.mode not in ("LA", "RGBA"):
        return image
    white = Image.new("RGBA", image.size, "white")
    return Image.alpha_composite(white, image.convert("RGBA")).convert("RGB")


def _profile_for(icc: bytes | None, source_mode: str, output_mode: str) -> bytes | None:
    """The source's colour profile where it still describes the output's colours."""
    space = _COLOR_SPACE.get(source_mode)
    return icc if space is not None and space == _COLOR_SPACE.get(output_mode) else None
