"""The GraphQL endpoint's side of the response cache (groupql.response_cache): a query asked
again by the same viewer is answered with the bytes kept from last time, without running it,
while nothing it read has changed.

Per request: the viewer is authenticated as always (an expired or revoked session is refused,
never answered from the cache), then the answer is looked up; a query that runs instead runs
under a Reading that notes what it reads, and its encoded answer is kept.
"""

import hashlib
import logging
from typing import Any

from starlette.requests import Request
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.types import ExecutionResult

from groupql.context import Context
from groupql.observability.metrics import Metrics
from groupql.records import User
from groupql.response_cache import Key, ResponseCache, key_of
from groupql.versions import ALL, VersionsUnavailable, scope
from groupql.versions.reading import Reading, reading

logger = logging.getLogger(__name__)


class _Encoded(dict[str, Any]):
    """A response whose JSON is already made: served as these bytes."""

    def __init__(self, response: dict[str, Any], body: bytes) -> None:
        super().__init__(response)
        self.body = body


class KeptAnswersView:
    """For GroupQLGraphQL (a strawberry view): `execute_single`, `process_result` and
    `encode_json` that serve and keep answers."""

    metrics: Metrics

    async def execute_single(
        self,
        request: Request,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        run = super().execute_single  # type: ignore[misc]
        args = (request, request_adapter, sub_response, context, root_value, request_data)
        cache: ResponseCache | None = request.app.state.running.response_cache
        document = _document_sha256(request_data)
        if cache is None or document is None or context.authorization is None:
            return await run(*args)  # type: ignore[no-any-return]

        def key_for(viewer_id: str) -> Key:
            return key_of(
                document_sha256=document,
                operation_name=request_data.operation_name,
                variables=request_data.variables,
                viewer_id=viewer_id,
                public_url=context.public_url,
            )

        # A session this instance remembers names the viewer without reading the store; a kept
        # answer depends on the viewer's record, so it is served only while that is unchanged.
        remembered = context.remembered_viewer_id()
        if remembered is not None and (body := await _answer(cache, key_for(remembered))):
            return self._served(request, context, remembered, body)
        try:
            started = await cache.start()  # before the viewer is read
        except VersionsUnavailable as error:
            logger.warning("the response cache is skipped: %s", error)
            return await run(*args)  # type: ignore[no-any-return]
        viewer = await _viewer_or_none(context)
        if viewer is None:  # the query will be refused for the same reason
            return await run(*args)  # type: ignore[no-any-return]
        # The viewer's own record is part of what the answer read.
        started.scopes.update((scope("users", viewer.id), scope("users", ALL)))
        key = key_for(viewer.id)
        if remembered is None and (body := await _answer(cache, key)):
            return self._served(request, context, viewer.id, body)
        with reading(started):
            result: ExecutionResult = await run(*args)
        if not context.ran_query:  # a mutation, or nothing ran
            return result
        if result.errors or started.wrote:
            self.metrics.kept_answers.labels("not_kept").inc()
        else:
            request.state.answer_to_keep = (cache, key, started)
        return result

    def _served(
        self, request: Request, context: Context, viewer_id: str, body: bytes
    ) -> ExecutionResult:
        """The request is answered with `body`, kept for the viewer (process_result sends it)."""
        request.state.kept_answer = body
        context.answered_from_cache(viewer_id)
        self.metrics.kept_answers.labels("hit").inc()
        return ExecutionResult(data=None, errors=None)

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        if (body := getattr(request.state, "kept_answer", None)) is not None:
            # Nothing reads a kept answer's fields: only its bytes are sent.
            return _Encoded({}, body)  # type: ignore[return-value]
        response: GraphQLHTTPResponse = await super().process_result(request, result)  # type: ignore[misc]
        to_keep: tuple[ResponseCache, Key, Reading] | None = getattr(
            request.state, "answer_to_keep", None
        )
        if to_keep is None:
            return response
        cache, key, started = to_keep
        body = _as_bytes(self.encode_json(response))
        kept = await _keep(cache, key, started, body)
        self.metrics.kept_answers.labels("kept" if kept else "not_kept").inc()
        return _Encoded(dict(response), body)  # type: ignore[return-value]

    def encode_json(self, data: object) -> str | bytes:
        if isinstance(data, _Encoded):
            return data.body
        return super().encode_json(data)  # type: ignore[misc,no-any-return]


def _document_sha256(request_data: GraphQLRequestData) -> str | None:
    """The document's SHA-256: of the text sent, else the persisted query's hash named; None
    when the request names a hash that is not the text's (PersistedQueries refuses it)."""
    persisted = (request_data.extensions or {}).get("persistedQuery")
    named = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    if persisted is not None and not (isinstance(named, str) and len(named) == 64):
        return None
    if request_data.query:
        sent = hashlib.sha256(request_data.query.encode()).hexdigest()
        return sent if named is None or named.lower() == sent else None
    return named.lower() if isinstance(named, str) else None


async def _viewer_or_none(context: Context) -> User | None:
    try:
        return await context.viewer()
    except Exception:
        return None


async def _answer(cache: ResponseCache, key: Key) -> bytes | None:
    try:
        return await cache.answer(key)
    except VersionsUnavailable as error:
        logger.warning("the response cache is skipped: %s", error)
        return None


async def _keep(cache: ResponseCache, key: Key, started: Reading, body: bytes) -> bool:
    try:
        return await cache.keep(key, started, body)
    except VersionsUnavailable as error:
        logger.warning("an answer was not kept: %s", error)
        return False


def _as_bytes(encoded: str | bytes) -> bytes:
    return encoded.encode() if isinstance(encoded, str) else encoded
