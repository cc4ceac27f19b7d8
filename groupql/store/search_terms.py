"""The terms an item is found by: written with its content by every write that changes it."""

from groupql.records import ItemContent
from groupql.search.matching import Field, FieldKind
from groupql.search.query import index_terms
from groupql.store.collection import Document

# The key an item's terms are stored under (absent on deleted items, and on items written before
# search until `groupql search reindex`).
TERMS = "terms"


def searchable_fields(content: ItemContent) -> list[Field]:
    """The texts of an item that search reads: its text, poll options, link title, file names."""
    fields = [Field(FieldKind.TEXT, content.text)] if content.text else []
    if content.poll is not None:
        fields += [
            Field(FieldKind.POLL_OPTION, option.text, option_id=option.id)
            for option in content.poll.options
        ]
    if content.link is not None and content.link.title:
        fields.append(Field(FieldKind.LINK_TITLE, content.link.title))
    fields += [
        Field(FieldKind.FILE_NAME, media.name, media_index=index)
        for index, media in enumerate(content.media)
        if media.name
    ]
    return fields


def terms_of(content: ItemContent) -> list[str]:
    return index_terms(field.text for field in searchable_fields(content))


def terms_update(content: ItemContent) -> Document:
    """The write that keeps an item's terms with new content: none for an emptied item."""
    terms = terms_of(content)
    return {"$set": {TERMS: terms}} if terms else {"$unset": {TERMS: ""}}
