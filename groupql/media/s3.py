"""Media in S3-compatible object storage (Amazon S3, Tencent COS, MinIO, ...) through boto3."""

import asyncio
from typing import Any, Literal

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from groupql.media.storage import MediaMissing, UploadForm, check_key

_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})


class S3MediaStore:
    """A bucket of S3-compatible storage; clients read and upload with presigned URLs and forms.

    Tencent COS speaks this API at `https://cos.<region>.myqcloud.com` (buckets are named
    `<name>-<appid>`; use `addressing_style="virtual"` there). The upload form is an S3 presigned
    POST, which `wx.uploadFile` can send as is: its host must be among the mini-program's
    uploadFile domains, and the bucket's host among its downloadFile domains for the media URLs.
    """

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None,
        region: str,
        access_key: str,
        secret_key: str,
        addressing_style: Literal["path", "virtual"] = "path",
    ) -> None:
        self._bucket = bucket
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style},
            connect_timeout=5,
            read_timeout=30,
            retries={"mode": "standard", "max_attempts": 3},
            # Since botocore 1.36, PutObject sends CRC32 checksum headers by default, which several
            # S3-compatible stores refuse; S3 itself needs them only where an operation requires.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        # A session of its own: boto3's default session is shared and not thread-safe to build
        # clients from, while one client may be called from many threads.
        self._client: Any = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            config=config,
        )

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self._client.put_object,
            Bucket=self._bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self._read, check_key(key))

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self._client.delete_object, Bucket=self._bucket, Key=check_key(key))

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(
                self._client.head_object, Bucket=self._bucket, Key=check_key(key)
            )
        except ClientError as error:
            if _is_not_found(error):
                return False
            raise
        return True

    def url(self, key: str, *, expires_in_s: int) -> str:
        url: str = self._client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self._bucket, "Key": check_key(key)},
            ExpiresIn=expires_in_s,
        )
        return url

    def upload_form(
        self, key: str, *, max_bytes: int, content_type: str, expires_in_s: int
    ) -> UploadForm | None:
        # boto3 adds the exact {"bucket": ...} and {"key": ...} conditions itself.
        post = self._client.generate_presigned_post(
            Bucket=self._bucket,
            Key=check_key(key),
            Fields={"Content-Type": content_type},
            Conditions=[
                {"Content-Type": content_type},
                ["content-length-range", 1, max_bytes],
            ],
            ExpiresIn=expires_in_s,
        )
        return UploadForm(url=post["url"], fields=dict(post["fields"]), file_field="file")

    def _read(self, key: str) -> bytes:
        try:
            response = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if _is_not_found(error):
                raise MediaMissing(key) from None
            raise
        data: bytes = response["Body"].read()
        return data


def _is_not_found(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _NOT_FOUND
