"""What an item may hold, by type: the checks a draft passes before it is posted."""

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from groupql.errors import BadUserInput
from groupql.records import ItemContent, ItemType, Link, Media, Poll

MAX_URL_LENGTH = 2048
MAX_MEDIA_BYTES = 1 << 30
MAX_PIXELS_PER_SIDE = 20_000
MAX_FILE_NAME_LENGTH = 255
MAX_LINK_TITLE_LENGTH = 200
MAX_OPTION_LENGTH = 100
MIN_POLL_OPTIONS = 2
# Tencent Cloud IM's limit on the users one message may @mention.
MAX_MENTIONS = 30

_NEEDS_TEXT = frozenset({ItemType.TEXT, ItemType.POLL, ItemType.QUESTION})
_HAS_MEDIA = {ItemType.IMAGE: "image/", ItemType.VIDEO: "video/", ItemType.FILE: ""}
# Media live on a CDN (https) or in WeChat cloud storage, whose fileIDs are cloud:// URLs.
_MEDIA_SCHEMES = ("https://", "cloud://")
_CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
_MIME = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$", re.IGNORECASE)


@dataclass(frozen=True)
class ItemDraft:
    """An item as its author sent it, before the checks of its type."""

    group_id: str
    type: ItemType = ItemType.TEXT
    content: ItemContent = field(default_factory=ItemContent)
    reply_to: str | None = None
    client_id: str | None = None
    # Files uploaded here (completeUpload) to show, before `content.media`.
    media_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContentLimits:
    max_text_length: int
    max_media_per_item: int
    max_poll_options: int


def checked_content(draft: ItemDraft, limits: ContentLimits, now: datetime) -> ItemContent:
    """The content of a draft that keeps every rule of its type; BAD_USER_INPUT otherwise."""
    if draft.client_id is not None and not _CLIENT_ID.fullmatch(draft.client_id):
        raise BadUserInput(
            "'clientId' must be 1 to 64 letters, digits or - _ . : (e.g. a UUID the client made)."
        )
    kind, content = _a(draft.type), draft.content
    if content.media and draft.type not in _HAS_MEDIA:
        raise BadUserInput(f"{kind} item has no 'media'.")
    if content.link is not None and draft.type is not ItemType.LINK:
        raise BadUserInput(f"{kind} item has no 'link'.")
    if content.poll is not None and draft.type is not ItemType.POLL:
        raise BadUserInput(f"{kind} item has no 'poll'.")
    return ItemContent(
        text=checked_text(content.text, limits, draft.type),
        media=_checked_media(draft, limits) if draft.type in _HAS_MEDIA else (),
        link=_checked_link(content.link) if draft.type is ItemType.LINK else None,
        poll=_checked_poll(content.poll, limits, now) if draft.type is ItemType.POLL else None,
        mentions=checked_mentions(content.mentions),
        mentions_all=content.mentions_all,
    )


def checked_mentions(user_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The users an item names, each once, in the order written; at most MAX_MENTIONS."""
    unique = tuple(dict.fromkeys(user_ids))
    if len(unique) > MAX_MENTIONS:
        raise BadUserInput(f"An item may @mention at most {MAX_MENTIONS} people; use @all.")
    return unique


def checked_text(text: str | None, limits: ContentLimits, item_type: ItemType) -> str | None:
    if text is None or not text.strip():
        if item_type in _NEEDS_TEXT:
            raise BadUserInput(f"{_a(item_type)} item needs non-empty 'text'.")
        return None
    if len(text) > limits.max_text_length:
        raise BadUserInput(f"'text' is longer than {limits.max_text_length} characters.")
    return text


def _checked_media(draft: ItemDraft, limits: ContentLimits) -> tuple[Media, ...]:
    media = draft.content.media
    if not 1 <= len(media) <= limits.max_media_per_item:
        raise BadUserInput(f"{_a(draft.type)} item needs 1 to {limits.max_media_per_item} 'media'.")
    mime_prefix = _HAS_MEDIA[draft.type]
    for one in media:
        if one.media_id is not None:
            # Uploaded and checked here: its type and size are what the bytes said.
            if not one.mime.startswith(mime_prefix):
                raise BadUserInput(f"{_a(draft.type)} item shows {mime_prefix or 'any'} files.")
            continue
        check_url(one.url, _MEDIA_SCHEMES, "media url")
        if not _MIME.match(one.mime) or not one.mime.lower().startswith(mime_prefix):
            expected = f"an {mime_prefix}*" if mime_prefix == "image/" else "a type/subtype"
            expected = f"a {mime_prefix}*" if mime_prefix == "video/" else expected
            raise BadUserInput(f"'mime' must be {expected} media type.")
        if not 1 <= one.size <= MAX_MEDIA_BYTES:
            raise BadUserInput(f"'size' must be 1 to {MAX_MEDIA_BYTES} bytes.")
        for side in (one.width, one.height):
            if side is not None and not 1 <= side <= MAX_PIXELS_PER_SIDE:
                raise BadUserInput(f"'width' and 'height' must be 1 to {MAX_PIXELS_PER_SIDE}.")
        if one.duration_s is not None and not one.duration_s > 0:
            raise BadUserInput("'duration' must be positive seconds.")
        if one.name is not None and not 1 <= len(one.name) <= MAX_FILE_NAME_LENGTH:
            raise BadUserInput(f"'name' must have 1 to {MAX_FILE_NAME_LENGTH} characters.")
    return tuple(media)


def _checked_link(link: Link | None) -> Link:
    if link is None:
        raise BadUserInput("A LINK item needs 'link'.")
    check_url(link.url, ("https://",), "link url")
    if link.title is not None and len(link.title) > MAX_LINK_TITLE_LENGTH:
        raise BadUserInput(f"'title' is longer than {MAX_LINK_TITLE_LENGTH} characters.")
    return link


def _checked_poll(poll: Poll | None, limits: ContentLimits, now: datetime) -> Poll:
    if poll is None:
        raise BadUserInput("A POLL item needs 'poll'.")
    if not MIN_POLL_OPTIONS <= len(poll.options) <= limits.max_poll_options:
        raise BadUserInput(
            f"A poll needs {MIN_POLL_OPTIONS} to {limits.max_poll_options} 'options'."
        )
    texts = [option.text.strip() for option in poll.options]
    if any(not 1 <= len(text) <= MAX_OPTION_LENGTH for text in texts):
        raise BadUserInput(f"Each option must have 1 to {MAX_OPTION_LENGTH} characters.")
    if len(set(texts)) != len(texts):
        raise BadUserInput("Options must differ from each other.")
    if poll.closes_at is not None and poll.closes_at <= now:
        raise BadUserInput("'closesAt' must be in the future.")
    return replace(poll, options=Poll.numbered(texts))


def _a(item_type: ItemType) -> str:
    """'An IMAGE', 'A TEXT': the type with its article, to start a message."""
    article = "An" if item_type.value[0] in "AEIOU" else "A"
    return f"{article} {item_type.value}"


def check_url(url: str, schemes: tuple[str, ...], what: str) -> None:
    """A URL a client gave: one of `schemes`, bounded, with no spaces; BAD_USER_INPUT if not."""
    if len(url) > MAX_URL_LENGTH:
        raise BadUserInput(f"A {what} may have at most {MAX_URL_LENGTH} characters.")
    scheme = next((scheme for scheme in schemes if url.startswith(scheme)), None)
    if scheme is None or len(url) == len(scheme):
        raise BadUserInput(f"A {what} must start with {' or '.join(schemes)}.")
    if any(char.isspace() for char in url):
        raise BadUserInput(f"A {what} may not contain spaces.")
