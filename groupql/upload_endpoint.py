"""The routes of uploaded files: POST /uploads/{id} takes what wx.uploadFile sends (multipart,
one `file` field, the ticket's token in the X-Upload-Token header: no cookie, so no CSRF), and
GET /media/{key} serves a locally stored file to whoever holds its signed URL."""

import asyncio
import json
import logging
import mimetypes
from collections.abc import Callable
from datetime import datetime

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from groupql.errors import BadUserInput, GroupQLError, NotFound, UploadExpired
from groupql.media.storage import InvalidMediaKey, LocalMediaStore
from groupql.schema.uploads import TOKEN_HEADER
from groupql.services.uploads import MAX_BYTES
from groupql.store.outages import is_outage

logger = logging.getLogger(__name__)

# A multipart body holds the file and a few hundred bytes of boundaries and headers.
_FORM_OVERHEAD = 64 * 1024
_MAX_BODY = max(MAX_BYTES.values()) + _FORM_OVERHEAD
_STATUS = {NotFound: 404, UploadExpired: 410, BadUserInput: 400}


class _TooLarge(Exception):
    pass


class UploadEndpoint:
    """POST /uploads/{upload_id}: an ASGI app, so the body is counted as it arrives."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        length = request.headers.get("content-length", "")
        if not length.isdecimal():
            response: Response = _error(411, "LENGTH_REQUIRED", "Send a Content-Length.")
        elif int(length) > _MAX_BODY:
            response = _error(413, "BAD_USER_INPUT", "The file is larger than any upload takes.")
        else:
            response = await self._receive(scope, _limited(receive, int(length)))
        await response(scope, receive, send)

    async def _receive(self, scope: Scope, receive: Receive) -> Response:
        request = Request(scope, receive)
        token = request.headers.get(TOKEN_HEADER, "")
        try:
            form = await request.form(max_files=1, max_fields=8)
            file = form.get("file")
            if not isinstance(file, UploadFile):
                raise BadUserInput("Send the file as the multipart field 'file'.")
            data = await file.read()
            services = request.app.state.running.services
            upload = await services.uploads.receive(scope["path_params"]["upload_id"], token, data)
        except _TooLarge:
            return _error(413, "BAD_USER_INPUT", "The body is longer than its Content-Length.")
        except GroupQLError as error:
            return _error(_STATUS.get(type(error), 403), error.code, error.message)
        except Exception as error:
            if is_outage(error):
                return _error(503, "UNAVAILABLE", "The database did not answer; retry shortly.")
            if "multipart" in str(error).lower() or "boundary" in str(error).lower():
                return _error(400, "BAD_USER_INPUT", "The body is not a multipart form.")
            raise
        return JSONResponse({"id": upload.id, "received": True})


def _limited(receive: Receive, limit: int) -> Receive:
    """`receive`, refusing more body than the Content-Length said."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _TooLarge()
        return message

    return limited


def _error(status: int, code: str, message: str) -> Response:
    # wx.uploadFile hands the body to the client as a string: JSON it can parse.
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return Response(json.dumps(body), status_code=status, media_type="application/json")


class MediaEndpoint:
    """GET /media/{key}?e={expiry}&s={signature}: a local file, while its URL's signature holds."""

    def __init__(self, store: LocalMediaStore, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock

    async def serve(self, request: Request) -> Response:
        key = request.path_params["key"]
        expires, signature = request.query_params.get("e", ""), request.query_params.get("s", "")
        now = self._clock()
        if not expires.isdecimal() or not self._store.verify(key, int(expires), signature, now):
            return PlainTextResponse("This link has expired or is not valid.", status_code=403)
        try:
            path = await asyncio.to_thread(self._store.path, key)
        except InvalidMediaKey:
            return PlainTextResponse("Not found.", status_code=404)
        if not await asyncio.to_thread(path.is_file):
            return PlainTextResponse("Not found.", status_code=404)
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        max_age = max(0, int(expires) - int(now.timestamp()))
        return FileResponse(
            path,
            media_type=mime,
            headers={
                "Cache-Control": f"private, max-age={max_age}",
                "X-Content-Type-Options": "nosniff",
                # A file is shown, never run as a page of this origin.
                "Content-Security-Policy": "default-src 'none'; sandbox",
            },
        )
