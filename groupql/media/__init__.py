"""Media bytes: where they are stored, what they really are, and images made safe to serve.

`S3MediaStore` lives in `groupql.media.s3`, imported only where it is configured, so that a
local set-up never loads boto3."""

from groupql.media.images import (
    ImageTooLarge,
    NotAnImage,
    ProcessedImage,
    process_image,
    process_image_async,
    sniff,
)
from groupql.media.storage import (
    InvalidMediaKey,
    LocalMediaStore,
    MediaMissing,
    MediaStore,
    UploadForm,
)

__all__ = [
    "ImageTooLarge",
    "InvalidMediaKey",
    "LocalMediaStore",
    "MediaMissing",
    "MediaStore",
    "NotAnImage",
    "ProcessedImage",
    "UploadForm",
    "process_image",
    "process_image_async",
    "sniff",
]
