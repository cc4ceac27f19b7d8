"""WeChat's message push (消息推送) at /wechat/push: the URL check and the subscribe events.

In the mini-program's console, set the push URL to https://<host>/wechat/push, its Token to
GROUPQL_WECHAT_PUSH_TOKEN, safe mode (安全模式) with its EncodingAESKey in
GROUPQL_WECHAT_PUSH_AES_KEY; JSON or XML both work. Safe mode is required: in plain mode WeChat
signs the query but not the body, so a signed URL seen once would let anyone forge events.
WeChat checks the URL with a GET that must echo `echostr`, then POSTs each event, signed and
encrypted. Anything not WeChat's is refused (403); anything WeChat sends that groupql does not
use is answered "success", as WeChat asks.
"""

import logging
import time

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from groupql.config import Settings
from groupql.wechat.push import MAX_PUSH_BYTES, PushKeys, PushRejected, read_push, verification_echo

logger = logging.getLogger(__name__)


class PushEndpoint:
    def __init__(self, settings: Settings) -> None:
        token, aes_key = settings.wechat_push_token, settings.wechat_push_aes_key
        assert token is not None and aes_key is not None, "safe mode: settings require both"
        self._keys = PushKeys(
            token=token.get_secret_value(),
            appid=settings.wechat_appid,
            encoding_aes_key=aes_key.get_secret_value(),
        )

    async def verify(self, request: Request) -> Response:
        echo = verification_echo(self._keys.token, request.query_params)
        if echo is None:
            return PlainTextResponse("signature mismatch", status_code=403)
        return PlainTextResponse(echo)

    async def receive(self, request: Request) -> Response:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_PUSH_BYTES:
                return PlainTextResponse("too large", status_code=413)
        try:
            event = read_push(body, request.query_params, self._keys, now_s=time.time())
        except PushRejected as rejected:
            logger.info("refused a message push: %s", rejected)
            return PlainTextResponse("refused", status_code=403)
        services = request.app.state.running.services
        if event.media_check is not None:
            await services.media_checks.verdict(event.media_check)
        else:
            await services.subscriptions.pushed(event)
        return PlainTextResponse("success")
