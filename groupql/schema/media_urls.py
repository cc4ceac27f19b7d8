"""URLs of stored files as clients get them: signed afresh when read, and absolute."""

from groupql.context import Context


def file_url(context: Context, key: str) -> str:
    """The signed URL of a stored file; one of this server's own routes made absolute."""
    url = context.services.uploads.url(key)
    return f"{context.public_url}{url}" if url.startswith("/") else url
