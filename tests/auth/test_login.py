"""Logging in with a wx.login code, and using the token."""

from datetime import datetime

from tests.actors import LOGIN, login
from tests.conftest import Api, Clock, api_on_test_store
from tests.fakes.wechat import FAKE_SECRET, FakeWeChat

VIEWER = "{ viewer { id openid } }"


async def test_dev_login_gives_a_token_that_identifies_the_viewer(api: Api) -> None:
    login = (await api.data(LOGIN, {"code": "alice"}))["login"]
    viewer = (await api.data(VIEWER, token=login["token"]))["viewer"]
    assert viewer == login["viewer"]
    assert len(login["token"]) >= 43  # 32 random bytes


async def test_dev_login_with_the_same_code_is_the_same_user_with_a_new_token(api: Api) -> None:
    first = (await api.data(LOGIN, {"code": "alice"}))["login"]
    second = (await api.data(LOGIN, {"code": "alice"}))["login"]
    other = (await api.data(LOGIN, {"code": "bob"}))["login"]
    assert first["viewer"] == second["viewer"]
    assert first["token"] != second["token"]
    assert other["viewer"]["id"] != first["viewer"]["id"]


async def test_token_expires_after_the_configured_days(clock: Clock) -> None:
    async with api_on_test_store(clock, session_ttl_days=2) as api:
        login = (await api.data(LOGIN, {"code": "alice"}))["login"]
        expires_at = datetime.fromisoformat(login["expiresAt"])
        assert (expires_at - clock.now).days == 2
        clock.advance(days=2, seconds=-1)
        assert (await api.data(VIEWER, token=login["token"]))["viewer"]
        clock.advance(seconds=1)
        assert await api.error_code(VIEWER, token=login["token"]) == "UNAUTHENTICATED"


async def test_forged_missing_and_malformed_tokens_are_unauthenticated(api: Api) -> None:
    await login(api, "alice")
    assert await api.error_code(VIEWER) == "UNAUTHENTICATED"
    assert await api.error_code(VIEWER, token="forged-token-" + "x" * 40) == "UNAUTHENTICATED"
    response = await api.http.post(
        "/graphql", json={"query": VIEWER}, headers={"Authorization": "Basic abc"}
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_empty_or_overlong_login_code_is_refused_without_calling_wechat(api: Api) -> None:
    assert await api.error_code(LOGIN, {"code": "  "}) == "INVALID_LOGIN_CODE"
    assert await api.error_code(LOGIN, {"code": "c" * 129}) == "INVALID_LOGIN_CODE"


async def test_live_login_exchanges_the_code_with_wechat(
    live_wechat_api: Api, fake_wechat: FakeWeChat
) -> None:
    api = live_wechat_api
    fake_wechat.add_code("code-1", openid="o-alice", unionid="u-alice")
    login = (await api.data(LOGIN, {"code": "code-1"}))["login"]
    assert login["viewer"]["openid"] == "o-alice"
    [call] = fake_wechat.calls
    assert call["js_code"] == "code-1"
    assert call["grant_type"] == "authorization_code"
    body = await api.data("{ viewer { unionid } }", token=login["token"])
    assert body["viewer"]["unionid"] == "u-alice"


async def test_live_login_maps_wechat_errors_to_codes_clients_act_on(
    live_wechat_api: Api, fake_wechat: FakeWeChat
) -> None:
    api = live_wechat_api
    assert await api.error_code(LOGIN, {"code": "never-issued"}) == "INVALID_LOGIN_CODE"
    fake_wechat.add_code("used", openid="o-1")
    await api.data(LOGIN, {"code": "used"})
    assert await api.error_code(LOGIN, {"code": "used"}) == "INVALID_LOGIN_CODE"
    for errcode, code in [
        (45011, "RATE_LIMITED"),
        (40226, "FORBIDDEN"),
        (40001, "WECHAT_UNAVAILABLE"),
    ]:
        fake_wechat.fail_next(errcode)
        assert await api.error_code(LOGIN, {"code": "any"}) == code
    fake_wechat.fail_next(-1, times=2)
    assert await api.error_code(LOGIN, {"code": "any"}) == "WECHAT_UNAVAILABLE"


async def test_login_errors_never_reveal_the_app_secret(
    live_wechat_api: Api, fake_wechat: FakeWeChat
) -> None:
    fake_wechat.fail_next(40001)
    body = await live_wechat_api.post(LOGIN, {"code": "any"})
    assert FAKE_SECRET not in str(body)
