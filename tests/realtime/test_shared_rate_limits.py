"""With GROUPQL_REDIS_URL set, every instance counts against the same limits."""

from tests.actors import LOGIN
from tests.conftest import Api, Clock, api_on_test_store


async def logs_in(api: Api, code: str) -> str | None:
    body = await api.post(LOGIN, {"code": code})
    return None if "errors" not in body else str(body["errors"][0]["extensions"]["code"])


async def test_two_instances_share_one_address_limit_through_redis(
    clock: Clock, redis_url: str
) -> None:
    limits = {"rate_logins_per_min": 3, "redis_url": redis_url}
    async with (
        api_on_test_store(clock, **limits) as first,
        api_on_test_store(clock, **limits) as second,
    ):
        assert [await logs_in(first, "a"), await logs_in(first, "b")] == [None, None]
        assert await logs_in(second, "c") is None

        assert await logs_in(second, "d") == "RATE_LIMITED"
        assert await logs_in(first, "e") == "RATE_LIMITED"
