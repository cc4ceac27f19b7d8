"""Content checks before publishing (先审后发): the local blocklist first (no call), then WeChat's
msgSecCheck. Risky text is refused (CONTENT_REJECTED); text WeChat wants reviewed is held
(PENDING_REVIEW: its author and the group's admins see it); when WeChat does not answer, the
item is held too, or published when the operator chose fail-open."""

from collections.abc import Iterable
from dataclasses import dataclass

from groupql.blocklist import Blocklist
from groupql.errors import ContentRejected
from groupql.records import ReviewStatus, User
from groupql.throttle import Rate, Throttle
from groupql.wechat.content_security import (
    ContentSecurity,
    MediaType,
    Scene,
    TextCheck,
    Verdict,
)

# What the audit records when the local blocklist refused a text (WeChat's labels are 100-99999).
BLOCKLIST_LABEL = 1


@dataclass(frozen=True)
class Outcome:
    review: ReviewStatus
    label: int | None = None


PUBLISH = Outcome(ReviewStatus.PUBLISHED)


class ContentChecks:
    def __init__(self, *, security: ContentSecurity, blocklist: Blocklist, fail_open: bool) -> None:
        self._security = security
        self._blocklist = blocklist
        self._fail_open = fail_open

    async def item(self, author: User, texts: Iterable[str | None], *, reply: bool) -> Outcome:
        """Whether an item with these texts is published or held; CONTENT_REJECTED if risky."""
        found = [text for text in texts if text and text.strip()]
        self._refuse_blocked(found)
        outcome = PUBLISH
        scene = Scene.COMMENT if reply else Scene.FORUM
        for text in found:
            check = await self._security.check_text(openid=author.openid, content=text, scene=scene)
            if check.verdict is Verdict.RISKY:
                raise ContentRejected(_rejected(check.label))
            held = check.verdict is Verdict.REVIEW or (
                check.verdict is Verdict.UNKNOWN and not self._fail_open
            )
            if held and outcome.review is ReviewStatus.PUBLISHED:
                outcome = Outcome(ReviewStatus.PENDING_REVIEW, check.label)
        return outcome

    async def name(self, author: User, text: str | None) -> None:
        """A title, an announcement, a nickname: published at once, so only refused if risky."""
        if not text or not text.strip():
            return
        self._refuse_blocked([text])
        check = await self._security.check_text(
            openid=author.openid, content=text, scene=Scene.PROFILE
        )
        if check.verdict is Verdict.RISKY:
            raise ContentRejected(_rejected(check.label))

    def _refuse_blocked(self, texts: list[str]) -> None:
        for text in texts:
            if self._blocklist.first_match(text) is not None:
                raise ContentRejected(_rejected(BLOCKLIST_LABEL))


def _rejected(label: int | None) -> str:
    return (
        "This text cannot be published: it breaks the content rules"
        + ("" if label is None else f" (label {label})")
        + ". Change it and try again."
    )


class Budgeted:
    """A ContentSecurity that keeps within WeChat's quotas (msgSecCheck 4,000 calls a minute,
    mediaCheckAsync 2,000, per mini-program), counted across instances by the throttle. Past
    the budget, a check is not sent: it reads as WeChat not answering (held, or published
    fail-open)."""

    def __init__(
        self, security: ContentSecurity, throttle: Throttle, *, texts: Rate, media: Rate
    ) -> None:
        self._security = security
        self._throttle = throttle
        self._texts = texts
        self._media = media

    async def check_text(
        self,
        *,
        openid: str,
        content: str,
        scene: Scene,
        title: str | None = None,
        nickname: str | None = None,
    ) -> TextCheck:
        if await self._throttle.hit("wechat:msg_sec_check", self._texts) is not None:
            return TextCheck(Verdict.UNKNOWN)
        return await self._security.check_text(
            openid=openid, content=content, scene=scene, title=title, nickname=nickname
        )

    async def check_media(
        self, *, openid: str, media_url: str, media_type: MediaType, scene: Scene
    ) -> str | None:
        if await self._throttle.hit("wechat:media_check_async", self._media) is not None:
            return None
        return await self._security.check_media(
            openid=openid, media_url=media_url, media_type=media_type, scene=scene
        )

    async def aclose(self) -> None:
        await self._security.aclose()
