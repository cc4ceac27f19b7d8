"""Questions and answers: accepting a reply as a question's answer."""

import strawberry

from groupql.context import Info
from groupql.schema.items import GroupItem
from groupql.schema.serving import serve


@strawberry.type
class QuestionMutation:
    @strawberry.mutation(description="Mark a reply to a QUESTION as its answer.")
    async def accept_answer(
        self, info: Info, question_id: strawberry.ID, answer_id: strawberry.ID
    ) -> GroupItem:
        viewer = await info.context.viewer()
        question = await info.context.services.questions.accept_answer(
            viewer, question_id=question_id, answer_id=answer_id
        )
        return serve(GroupItem, question)
