"""The S3 media store against a real S3-compatible server over HTTP (moto's, on loopback)."""

import base64
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from groupql.media import InvalidMediaKey, MediaMissing
from groupql.media.s3 import S3MediaStore
from tests.fakes.s3_server import ACCESS_KEY, REGION, SECRET_KEY, S3Server, running_s3_server

KEY = "groups/64f0c0ffee/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.jpg"
PHOTO = b"\xff\xd8\xff\xe0 not really a photo, but bytes are bytes"


@pytest.fixture(scope="module")
def s3_server() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


@pytest.fixture
def bucket(s3_server: S3Server) -> str:
    name = f"media-{uuid.uuid4().hex[:12]}"
    s3_server.create_bucket(name)
    return name


@pytest.fixture
def store(s3_server: S3Server, bucket: str) -> S3MediaStore:
    return S3MediaStore(
        bucket,
        endpoint_url=s3_server.endpoint_url,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
    )


async def test_stored_media_can_be_read_back_until_deleted(store: S3MediaStore) -> None:
    assert not await store.exists(KEY)

    await store.put(KEY, PHOTO, "image/jpeg")

    assert await store.exists(KEY)
    assert await store.get(KEY) == PHOTO
    await store.delete(KEY)
    assert not await store.exists(KEY)
    with pytest.raises(MediaMissing):
        await store.get(KEY)


async def test_deleting_what_is_not_there_is_not_an_error(store: S3MediaStore) -> None:
    await store.delete(KEY)


async def test_a_unsafe_key_is_refused_before_any_request(store: S3MediaStore) -> None:
    with pytest.raises(InvalidMediaKey):
        await store.put("groups/../secrets.txt", PHOTO, "text/plain")
    with pytest.raises(InvalidMediaKey):
        store.url("/etc/passwd", expires_in_s=60)


async def test_a_client_downloads_media_with_the_presigned_url(store: S3MediaStore) -> None:
    await store.put(KEY, PHOTO, "image/jpeg")

    url = store.url(KEY, expires_in_s=300)
    async with httpx.AsyncClient() as client:
        response = await client.get(url)

    assert response.status_code == 200
    assert response.content == PHOTO
    assert response.headers["content-type"] == "image/jpeg"


def test_the_presigned_url_expires_when_asked(store: S3MediaStore) -> None:
    """moto serves a presigned URL after its expiry; S3 and COS refuse it. So this pins what they
    check: the signed lifetime and the time it starts from."""
    before = datetime.now(UTC).replace(microsecond=0)

    query = parse_qs(urlsplit(store.url(KEY, expires_in_s=300)).query)

    assert query["X-Amz-Expires"] == ["300"]
    signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert before <= signed_at <= before + timedelta(seconds=5)
    assert query["X-Amz-SignedHeaders"] == ["host"]
    assert query["X-Amz-Signature"][0]


async def test_wx_upload_file_posts_straight_to_storage_with_the_form(
    store: S3MediaStore,
) -> None:
    form = store.upload_form(KEY, max_bytes=1024, content_type="image/jpeg", expires_in_s=600)
    assert form is not None

    # What wx.uploadFile sends: formData as fields, then the file under `name`.
    async with httpx.AsyncClient() as client:
        response = await client.post(
            form.url,
            data=form.fields,
            files={form.file_field: ("tmp_3f2a.jpg", PHOTO, "application/octet-stream")},
        )

    assert response.status_code == 204
    assert await store.get(KEY) == PHOTO
    async with httpx.AsyncClient() as client:
        served = await client.get(store.url(KEY, expires_in_s=60))
    assert served.headers["content-type"] == "image/jpeg"


def test_the_upload_form_only_admits_that_key_type_and_size_until_it_expires(
    store: S3MediaStore, bucket: str
) -> None:
    """moto stores any POST to the bucket, checking none of the policy; S3 and COS refuse one that
    breaks it. So this pins the policy they check."""
    form = store.upload_form(KEY, max_bytes=1024, content_type="image/jpeg", expires_in_s=600)
    assert form is not None

    policy = json.loads(base64.b64decode(form.fields["policy"]))
    conditions = policy["conditions"]

    assert ["content-length-range", 1, 1024] in conditions
    assert {"key": KEY} in conditions
    assert {"bucket": bucket} in conditions
    assert {"Content-Type": "image/jpeg"} in conditions
    assert form.fields["key"] == KEY
    assert form.fields["Content-Type"] == "image/jpeg"
    expiration = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    in_ten_minutes = datetime.now(UTC) + timedelta(seconds=600)
    assert abs(expiration - in_ten_minutes) < timedelta(seconds=5)
