"""Search: a hit is an item and where the query matched it."""

from typing import TYPE_CHECKING, Annotated

import strawberry

from groupql.context import Info
from groupql.schema.items import GroupItem
from groupql.schema.serving import serve, serves
from groupql.search import matching
from groupql.services import search as search_service

if TYPE_CHECKING:
    from groupql.schema.groups import Group

strawberry.enum(matching.FieldKind, name="SearchField", description="Where in an item a match is.")

HOW_SEARCH_READS = (
    "Every word of `query` must match (AND): Chinese words wherever they stand in a sentence, "
    "Latin words and numbers whole (pin does not find ping), in an item's text, poll options, "
    "link title and file names, case and full-width forms aside. Deleted items and items "
    "held for review are never found. A page may hold fewer than `first` hits (even none) "
    "when many items held the query's characters but not its words: go on with "
    "`pageInfo.endCursor` while `hasNextPage`."
)


@serves(matching.Highlight)
@strawberry.type(
    description="Where a word of the query matched: `start` and `end` are offsets into the "
    "field's text in UTF-16 code units, as JavaScript indexes strings: text.slice(start, end)."
)
class Highlight:
    field: matching.FieldKind
    start: int
    end: int
    option_id: strawberry.ID | None = strawberry.field(
        description="The poll option matched (field POLL_OPTION)."
    )
    media_index: int | None = strawberry.field(
        description="The position in `media` of the file whose name matched (field FILE_NAME)."
    )


@serves(search_service.SearchHit)
@strawberry.type(description="An item that matched a search, and where.")
class SearchHit:
    item: GroupItem
    highlights: list[Highlight]

    @strawberry.field(description="The item's group.")
    @staticmethod
    async def group(
        root: strawberry.Parent[search_service.SearchHit], info: Info
    ) -> Annotated["Group", strawberry.lazy("groupql.schema.groups")]:
        from groupql.schema.groups import Group

        found = await info.context.loaders.groups.load(root.item.group_id)
        return serve(Group, found)
