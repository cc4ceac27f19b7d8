"""URLs of stored files as clients get them: signed afresh when read, and absolute."""

from groupql.context import Info


def file_url(info: Info, key: str) -> str:
    """The signed URL of a stored file; one of this server's own routes made absolute."""
    url = info.context.services.uploads.url(key)
    return f"{info.context.public_url}{url}" if url.startswith("/") else url
