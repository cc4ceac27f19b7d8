"""What uploads really are, and photos made safe to serve: upright, without EXIF, never a bomb."""

import io
import struct
import zipfile
import zlib

import pytest
from PIL import ExifTags, Image, ImageCms

from groupql.media import (
    ImageTooLarge,
    NotAnImage,
    ProcessedImage,
    process_image,
    process_image_async,
    sniff,
)

GPS_LATITUDE = (31.0, 14.0, 2.5)  # somewhere in Shanghai: what a leaked photo would give away
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'


def encoded(image: Image.Image, format: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format, **options)
    return buffer.getvalue()


def photo_from_a_phone() -> bytes:
    """A 400x300 JPEG as a phone held upright stores it: sideways, with orientation 6 (rotate 90°
    clockwise to show), GPS, XMP and a comment. Its top half is red, its bottom half blue."""
    image = Image.new("RGB", (400, 300), "blue")
    image.paste("red", (0, 0, 400, 150))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "Phone Maker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    return encoded(image, "JPEG", exif=exif, xmp=XMP, comment=b"taken at home", quality=95)


def noisy_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    return encoded(Image.effect_noise(size, 64).convert("RGB"), "JPEG", quality=90)


def png_claiming(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but whose pixels are one tiny row: decoding it
    would fail as truncated, so only a refusal made before decoding can call it too large."""
    png = encoded(Image.new("1", (1, 1)), "PNG")
    ihdr = struct.pack(">II", width, height) + png[24:29]
    chunk = b"IHDR" + ihdr
    return png[:12] + chunk + struct.pack(">I", zlib.crc32(chunk)) + png[33:]


def zip_file(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            archive.writestr(name, "<xml/>")
    return buffer.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def rgb_at(image: Image.Image, xy: tuple[int, int]) -> tuple[int, ...]:
    pixel = image.getpixel(xy)
    assert isinstance(pixel, tuple)
    return pixel


def test_a_phone_photo_comes_out_upright_and_without_exif_gps_or_xmp() -> None:
    source = photo_from_a_phone()
    assert opened(source).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input does carry GPS

    result = process_image(source)

    assert (result.mime, result.width, result.height) == ("image/jpeg", 300, 400)
    served = opened(result.data)
    assert served.size == (300, 400)
    assert dict(served.getexif()) == {}
    assert not {"exif", "xmp", "comment"} & served.info.keys()
    assert b"Exif\x00\x00" not in result.data
    assert b"adobe:ns:meta" not in result.data
    assert b"Phone Maker" not in result.data
    # Rotated 90° clockwise, the red top of the stored image is now the right side.
    red, _, blue = rgb_at(served, (250, 200))
    assert red > 200 and blue < 60
    red, _, blue = rgb_at(served, (50, 200))
    assert blue > 200 and red < 60
    assert served.info.get("progressive") == 1


def test_thumbnails_fit_each_side_and_a_photo_keeps_its_size() -> None:
    result = process_image(noisy_jpeg((1600, 1200)), thumbnail_sides=(240, 720))

    assert sorted(result.thumbnails) == [240, 720]
    assert opened(result.thumbnails[240]).size == (240, 180)
    assert opened(result.thumbnails[720]).size == (720, 540)
    assert all(sniff(thumbnail) == "image/jpeg" for thumbnail in result.thumbnails.values())
    assert (result.width, result.height) == (1600, 1200)


def test_a_thumbnail_is_never_enlarged() -> None:
    result = process_image(noisy_jpeg((100, 50)), thumbnail_sides=(240, 720))

    assert opened(result.thumbnails[240]).size == (100, 50)
    assert opened(result.thumbnails[720]).size == (100, 50)


def test_a_png_with_transparency_stays_a_png_with_its_transparency() -> None:
    image = Image.new("RGBA", (64, 64), (0, 128, 0, 255))
    image.paste((0, 0, 0, 0), (0, 0, 32, 64))

    result = process_image(encoded(image, "PNG"))

    assert result.mime == "image/png"
    served = opened(result.data)
    assert served.mode == "RGBA"
    assert served.getpixel((10, 10)) == (0, 0, 0, 0)
    assert served.getpixel((50, 10)) == (0, 128, 0, 255)
    # JPEG has no transparency: the thumbnail shows it as white, not black.
    thumbnail = opened(result.thumbnails[240])
    assert thumbnail.getpixel((10, 10)) == pytest.approx((255, 255, 255), abs=3)


def test_a_webp_stays_a_webp() -> None:
    result = process_image(encoded(Image.new("RGB", (120, 80), "orange"), "WEBP"))

    assert (result.mime, result.width, result.height) == ("image/webp", 120, 80)
    assert sniff(result.data) == "image/webp"


def test_an_animated_gif_becomes_its_first_frame_as_a_png() -> None:
    frames = [Image.new("P", (40, 30), 0), Image.new("P", (40, 30), 1)]
    for frame in frames:
        frame.putpalette([255, 0, 0, 0, 0, 255] + [0] * 762)
    gif = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)

    result = process_image(gif)

    assert (result.mime, result.width, result.height) == ("image/png", 40, 30)
    assert opened(result.data).convert("RGB").getpixel((5, 5)) == (255, 0, 0)


def test_the_colour_profile_stays_so_colours_do_not_shift() -> None:
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = encoded(Image.new("RGB", (64, 48), "purple"), "JPEG", icc_profile=profile)

    result = process_image(source)

    assert opened(result.data).info["icc_profile"] == profile
    assert opened(result.thumbnails[240]).info["icc_profile"] == profile


def test_a_cmyk_jpeg_is_served_as_rgb() -> None:
    result = process_image(encoded(Image.new("CMYK", (64, 48), (0, 255, 255, 0)), "JPEG"))

    assert opened(result.data).mode == "RGB"


@pytest.mark.parametrize(("width", "height"), [(50_000, 50_000), (7_000, 7_000)])
def test_a_pixel_bomb_is_refused_before_its_pixels_are_decoded(width: int, height: int) -> None:
    bomb = png_claiming(width, height)
    assert len(bomb) < 100

    with pytest.raises(ImageTooLarge, match="40 million pixels"):
        process_image(bomb)


def test_a_pixel_bomb_within_the_limit_would_have_failed_to_decode() -> None:
    """What makes the refusals above proof that no pixel was decoded."""
    with pytest.raises(NotAnImage):
        process_image(png_claiming(7_000, 7_000), max_pixels=50_000_000)


def test_the_pixel_limit_can_be_lowered() -> None:
    with pytest.raises(ImageTooLarge):
        process_image(noisy_jpeg((200, 100)), max_pixels=19_999)
    assert process_image(noisy_jpeg((200, 100)), max_pixels=20_000).width == 200


@pytest.mark.parametrize(
    "damaged",
    [
        pytest.param(noisy_jpeg()[: len(noisy_jpeg()) // 2], id="truncated jpeg"),
        pytest.param(encoded(Image.new("RGB", (300, 200), "red"), "PNG")[:-40], id="truncated png"),
        pytest.param(b"\xff\xd8\xff\xe0" + b"\x00" * 200, id="jpeg magic, no jpeg"),
    ],
)
def test_a_damaged_image_is_refused(damaged: bytes) -> None:
    with pytest.raises(NotAnImage):
        process_image(damaged)


@pytest.mark.parametrize(
    ("renamed", "really"),
    [
        pytest.param(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120, None, id="exe named .jpg"),
        pytest.param(zip_file("payload.txt"), "application/zip", id="zip named .jpg"),
        pytest.param(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "application/pdf", id="pdf named .jpg"),
        pytest.param(
            b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic", id="iPhone heic"
        ),
    ],
)
def test_a_file_renamed_jpg_is_known_by_its_bytes_and_not_taken_as_an_image(
    renamed: bytes, really: str | None
) -> None:
    assert sniff(renamed) == really
    with pytest.raises(NotAnImage):
        process_image(renamed)


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (encoded(Image.new("RGB", (8, 8)), "JPEG"), "image/jpeg"),
        (encoded(Image.new("RGB", (8, 8)), "PNG"), "image/png"),
        (encoded(Image.new("P", (8, 8)), "GIF"), "image/gif"),
        (encoded(Image.new("RGB", (8, 8)), "WEBP"), "image/webp"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "image/avif"),
        (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom", "video/mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "video/quicktime"),
        (b"\x00\x00\x00\x1cftypM4A \x00\x00\x00\x00M4A mp42isom", "audio/mp4"),
        # A camera maker's own major brand: the compatible brands say what it is.
        (b"\x00\x00\x00\x1cftypXAVC\x00\x00\x00\x00XAVCmp42iso2", "video/mp4"),
        (b"\x00\x00\x00\x14ftypXXXX\x00\x00\x00\x00YYYY", None),
        (
            zip_file("[Content_Types].xml", "word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            zip_file("[Content_Types].xml", "xl/workbook.xml"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (b"PK\x03\x04 a zip cut short", "application/zip"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504, "application/x-ole-storage"),
        (b"<html><script>alert(1)</script>", None),
        (b"", None),
    ],
)
def test_sniff_reads_the_type_from_magic_numbers(data: bytes, mime: str | None) -> None:
    assert sniff(data) == mime


def test_thumbnail_sides_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        process_image(noisy_jpeg((20, 20)), thumbnail_sides=(0, 240))


async def test_processing_runs_off_the_event_loop_with_the_same_result() -> None:
    source = photo_from_a_phone()

    result = await process_image_async(source, thumbnail_sides=(120,))

    assert isinstance(result, ProcessedImage)
    assert (result.width, result.height, sorted(result.thumbnails)) == (300, 400, [120])
    assert result.data == process_image(source, thumbnail_sides=(120,)).data
