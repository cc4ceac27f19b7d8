"""Muting: a muted member reads and votes but cannot post until the mute ends."""

from datetime import datetime, timedelta

from tests.actors import join_in_order
from tests.conftest import Api, Clock
from tests.items.documents import poll
from tests.members.documents import MUTE


async def test_a_muted_member_cannot_post_until_the_mute_ends(api: Api, clock: Clock) -> None:
    owner, admin, bob = await join_in_order(api, "owner", "admin", "bob")
    await owner.set_role(admin, "ADMIN")
    until = clock.now + timedelta(hours=1)
    muted = await admin.mute(bob, until)
    assert muted["isMuted"] is True
    assert datetime.fromisoformat(muted["mutedUntil"]) == until
    assert await bob.post_error(text="hello") == "FORBIDDEN"
    membership = await bob.membership()
    assert membership["isMuted"] is True
    assert datetime.fromisoformat(membership["mutedUntil"]) == until
    clock.advance(hours=2)
    assert (await bob.membership())["isMuted"] is False
    await bob.say("hello")


async def test_muting_until_null_unmutes(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await owner.mute(bob, clock.now + timedelta(hours=1))
    unmuted = await owner.mute(bob, None)
    assert unmuted == {"isMuted": False, "mutedUntil": None}
    await bob.say("hello")


async def test_muting_until_a_past_time_is_refused(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    past = (clock.now - timedelta(minutes=1)).isoformat()
    assert await owner.error_code(MUTE, **owner.on(bob), until=past) == "BAD_USER_INPUT"
    assert (await bob.membership())["isMuted"] is False


async def test_a_mute_end_without_a_timezone_is_refused(api: Api) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    code = await owner.error_code(MUTE, **owner.on(bob), until="2099-01-01T00:00:00")
    assert code == "BAD_USER_INPUT"


async def test_an_admin_cannot_mute_another_admin_but_the_owner_can(api: Api, clock: Clock) -> None:
    owner, ann, ben = await join_in_order(api, "owner", "ann", "ben")
    await owner.set_role(ann, "ADMIN")
    await owner.set_role(ben, "ADMIN")
    until = clock.now + timedelta(hours=1)
    assert await ann.error_code(MUTE, **ann.on(ben), until=until.isoformat()) == "FORBIDDEN"
    assert (await ben.membership())["isMuted"] is False
    assert (await owner.mute(ben, until))["isMuted"] is True


async def test_nobody_can_mute_the_owner(api: Api, clock: Clock) -> None:
    owner, admin = await join_in_order(api, "owner", "admin")
    await owner.set_role(admin, "ADMIN")
    until = (clock.now + timedelta(hours=1)).isoformat()
    assert await admin.error_code(MUTE, **admin.on(owner), until=until) == "FORBIDDEN"


async def test_a_muted_member_still_reads_the_feed(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    await owner.say("hello")
    await owner.mute(bob, clock.now + timedelta(hours=1))
    assert [item["text"] for item in await bob.feed()] == ["hello"]


async def test_a_muted_member_still_votes(api: Api, clock: Clock) -> None:
    owner, bob = await join_in_order(api, "owner", "bob")
    lunch = await owner.post(type="POLL", text="Lunch?", poll=poll("rice", "noodles"))
    await owner.mute(bob, clock.now + timedelta(hours=1))
    option_id = lunch["poll"]["options"][0]["id"]
    voted = await bob.vote(lunch, [option_id])
    assert (voted["voterCount"], voted["viewerOptionIds"]) == (1, [option_id])
