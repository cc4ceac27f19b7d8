"""The local media store: files under a directory, served through signed, expiring URLs."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from groupql.media import InvalidMediaKey, LocalMediaStore, MediaMissing

SECRET = b"media-url-secret-0123456789abcdef"
KEY = "groups/64f0c0ffee/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg"
PHOTO = b"\xff\xd8\xff\xe0 not really a photo, but bytes are bytes"
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def store(root: Path) -> LocalMediaStore:
    return LocalMediaStore(root, SECRET, "https://groupql.example", clock=lambda: NOW)


def names_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def signed_parts(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    return parts.path.removeprefix("/media/"), int(query["e"][0]), query["s"][0]


async def test_stored_media_can_be_read_back_until_deleted(
    store: LocalMediaStore, root: Path
) -> None:
    assert not await store.exists(KEY)

    await store.put(KEY, PHOTO, "image/jpeg")

    assert await store.exists(KEY)
    assert await store.get(KEY) == PHOTO
    assert (root / KEY).read_bytes() == PHOTO
    await store.delete(KEY)
    assert not await store.exists(KEY)
    with pytest.raises(MediaMissing):
        await store.get(KEY)


async def test_deleting_what_is_not_there_is_not_an_error(store: LocalMediaStore) -> None:
    await store.delete(KEY)


async def test_a_folder_is_not_media(store: LocalMediaStore) -> None:
    await store.put(KEY, PHOTO, "image/jpeg")

    assert not await store.exists("groups/64f0c0ffee")
    with pytest.raises(MediaMissing):
        await store.get("groups/64f0c0ffee")


async def test_a_rewrite_replaces_the_whole_file_and_leaves_no_temporary_files(
    store: LocalMediaStore, root: Path
) -> None:
    await store.put(KEY, b"first version", "image/jpeg")
    await store.put(KEY, PHOTO, "image/jpeg")

    assert await store.get(KEY) == PHOTO
    assert names_in((root / KEY).parent) == [Path(KEY).name]


@pytest.mark.parametrize(
    "key",
    [
        "../outside.jpg",
        "groups/../../outside.jpg",
        "/etc/passwd",
        "groups\\..\\outside.jpg",
        "groups//a.jpg",
        "groups/./a.jpg",
        "groups/.a.jpg.tmp",
        "groups/a.jpg/",
        "",
        "groups/a photo.jpg",
        "groups/照片.jpg",
        "groups/a.jpg\x00.png",
        "a" * 513,
    ],
)
async def test_a_key_that_could_leave_the_media_folder_is_refused(
    store: LocalMediaStore, tmp_path: Path, key: str
) -> None:
    with pytest.raises(InvalidMediaKey):
        await store.put(key, PHOTO, "image/jpeg")
    with pytest.raises(InvalidMediaKey):
        await store.get(key)
    with pytest.raises(InvalidMediaKey):
        await store.delete(key)
    with pytest.raises(InvalidMediaKey):
        store.url(key, expires_in_s=60)
    assert not store.verify(key, int(NOW.timestamp()) + 60, "x", NOW)
    assert names_in(tmp_path) == []


@pytest.fixture
def outside(root: Path, tmp_path: Path) -> Path:
    """A folder beside the media folder, which root/groups links to."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not media")
    root.mkdir()
    os.symlink(outside, root / "groups")
    return outside


async def test_a_symlink_out_of_the_media_folder_is_not_followed(
    store: LocalMediaStore, outside: Path
) -> None:
    with pytest.raises(InvalidMediaKey):
        await store.get("groups/secret.txt")
    with pytest.raises(InvalidMediaKey):
        await store.put("groups/planted.jpg", PHOTO, "image/jpeg")
    assert names_in(outside) == ["secret.txt"]


def test_a_signed_url_is_served_until_it_expires(store: LocalMediaStore) -> None:
    url = store.url(KEY, expires_in_s=600)

    assert url.startswith(f"https://groupql.example/media/{KEY}?e=")
    key, expires, signature = signed_parts(url)
    assert key == KEY
    assert expires == int(NOW.timestamp()) + 600
    assert store.verify(KEY, expires, signature, NOW)
    assert store.verify(KEY, expires, signature, NOW + timedelta(seconds=599))
    assert not store.verify(KEY, expires, signature, NOW + timedelta(seconds=600))
    assert not store.verify(KEY, expires, signature, NOW + timedelta(days=30))


def test_a_tampered_url_is_refused(store: LocalMediaStore) -> None:
    _, expires, signature = signed_parts(store.url(KEY, expires_in_s=600))
    other_key = KEY.replace("64f0c0ffee", "64f0deadbe")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    assert not store.verify(KEY, expires, flipped, NOW)
    assert not store.verify(other_key, expires, signature, NOW)
    assert not store.verify(KEY, expires + 86_400, signature, NOW)
    assert not store.verify(KEY, expires, signature[:-1], NOW)
    assert not store.verify(KEY, expires, "", NOW)
    assert not store.verify(KEY, expires, "签名" + signature, NOW)


def test_a_url_signed_with_another_secret_is_refused(store: LocalMediaStore, root: Path) -> None:
    other = LocalMediaStore(root, b"another-secret-0123456789abcdef", clock=lambda: NOW)
    _, expires, signature = signed_parts(other.url(KEY, expires_in_s=600))

    assert other.verify(KEY, expires, signature, NOW)
    assert not store.verify(KEY, expires, signature, NOW)


def test_uploads_go_through_groupql_not_a_storage_form(store: LocalMediaStore) -> None:
    form = store.upload_form(KEY, max_bytes=1024, content_type="image/jpeg", expires_in_s=600)

    assert form is None


def test_a_short_secret_is_refused(root: Path) -> None:
    with pytest.raises(ValueError, match="at least 16 bytes"):
        LocalMediaStore(root, b"short")
