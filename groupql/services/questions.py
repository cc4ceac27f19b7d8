"""Questions and answers: an answer replies to a QUESTION; the asker or an admin accepts one."""

from groupql.errors import BadUserInput, NotFound
from groupql.records import Item, ItemType, User
from groupql.services.events import Events, EventType
from groupql.services.items import ItemService
from groupql.services.notifications import NotificationService
from groupql.services.permissions import Action
from groupql.services.rankings import RankingService
from groupql.store import Store


class QuestionService:
    def __init__(
        self,
        *,
        store: Store,
        items: ItemService,
        events: Events,
        notifications: NotificationService,
        rankings: RankingService,
    ) -> None:
        self._store = store
        self._rankings = rankings
        self._notifications = notifications
        self._events = events
        self._items = items

    async def accept_answer(self, viewer: User, *, question_id: str, answer_id: str) -> Item:
        question, access = await self._items.item_with_access(viewer, question_id)
        if question.type is not ItemType.QUESTION or question.is_deleted:
            raise BadUserInput("Only a live QUESTION item takes an accepted answer.")
        access.require(
            Action.ACCEPT_OWN_QUESTION_ANSWER
            if question.author_id == viewer.id
            else Action.ACCEPT_ANY_ANSWER
        )
        [answer] = await self._store.items.get_many([answer_id])
        if answer is None or answer.reply_to != question.id or answer.is_deleted:
            raise BadUserInput("'answerId' must name a reply to this question.")
        found = await self._store.items.accept_answer(question, answer_id=answer.id)
        if found is None:
            raise NotFound("The question was deleted.")
        accepted, is_first = found
        await self._events.item(EventType.ITEM_EDITED, accepted)
        if is_first:
            # acceptedAnswers counts the first accepted answer of each question.
            await self._rankings.count_accepted(answer)
        if question.accepted_answer_id != answer.id:
            await self._notifications.answer_accepted(accepted, answer, viewer)
        return accepted
