"""Content checks before publishing (先审后发): the local blocklist first (no call), then WeChat's
msgSecCheck. Risky text is refused (CONTENT_REJECTED); text WeChat wants reviewed is held
(PENDING_REVIEW: its author and the group's admins see it); when WeChat does not answer, the
item is held too, or published when the operator chose fail-open."""

from collections.abc import Iterable
from dataclasses import dataclass

from groupql.blocklist import Blocklist
from groupql.errors import ContentRejected
from groupql.records import ReviewStatus, User
from groupql.wechat.content_security import ContentSecurity, Scene, Verdict

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
