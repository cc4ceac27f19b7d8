"""Field-to-key tables read every document shape the store has written, and changes are checked
where they are made."""

import dataclasses
from datetime import UTC, datetime
from enum import Enum

import pytest
from bson import ObjectId

from groupql.changes import Changes
from groupql.records import (
    Group,
    GroupKind,
    GroupSettings,
    Item,
    ItemContent,
    ItemType,
    JoinPolicy,
    Member,
    MemberStatus,
    Role,
)
from groupql.store.groups import GROUPS
from groupql.store.items import ITEMS
from groupql.store.members import MEMBERS
from groupql.store.tables import Key, Table, enum_key, enum_set_key

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_a_group_stored_before_pins_and_announcements_existed_reads_with_none() -> None:
    # The shape the first releases wrote for a WeChat group: no announcement, no pins key yet.
    doc = {
        "_id": ObjectId(), "appid": "wx1", "openGId": "G1", "kind": "WECHAT_GROUP",
        "chatType": None, "title": None, "ownerId": "u1", "createdAt": NOW,
        "joinPolicy": "OPEN", "postPolicy": "ALL", "allowedItemTypes": ["TEXT"],
        "membersCanInvite": True, "membersCanPin": False,
    }  # fmt: skip

    group = GROUPS.record(doc)

    assert (group.pins, group.announcement, group.open_gid) == ((), None, "G1")
    assert group.settings.allowed_item_types == frozenset({ItemType.TEXT})


def test_an_app_group_without_an_open_gid_and_without_settings_reads_their_defaults() -> None:
    doc = {"_id": ObjectId(), "appid": "wx1", "kind": "APP_GROUP", "createdAt": NOW}

    group = GROUPS.record(doc)

    assert (group.open_gid, group.title, group.owner_id) == (None, None, None)
    assert group.settings == GroupSettings()


def test_a_document_without_a_required_key_is_refused_not_read_as_none() -> None:
    with pytest.raises(KeyError, match="createdAt"):
        GROUPS.record({"_id": ObjectId(), "appid": "wx1", "kind": "APP_GROUP"})


def test_a_record_round_trips_through_its_document() -> None:
    group = Group(
        id=str(ObjectId()), appid="wx1", open_gid=None, kind=GroupKind.APP_GROUP, chat_type=None,
        title="Hiking", owner_id="u1", created_at=NOW,
        settings=GroupSettings(join_policy=JoinPolicy.APPROVAL), announcement=None, pins=(),
    )  # fmt: skip

    assert GROUPS.record(GROUPS.document(group)) == group


def test_changes_set_only_the_keys_of_the_fields_they_name() -> None:
    changes = Changes(
        Group,
        title="Hiking",
        settings=Changes(GroupSettings, members_can_pin=True, join_policy=JoinPolicy.CLOSED),
    )

    assert GROUPS.to_set(changes) == {
        "title": "Hiking",
        "membersCanPin": True,
        "joinPolicy": "CLOSED",
    }
    assert MEMBERS.to_set(Changes(Member, role=Role.ADMIN, muted_until=None)) == {
        "role": "ADMIN",
        "mutedUntil": None,
    }


def test_a_change_with_nothing_to_write_is_refused_before_it_reaches_mongodb() -> None:
    with pytest.raises(ValueError, match="no change"):
        GROUPS.to_set(Changes(Group, settings=Changes(GroupSettings)))


def test_a_misspelt_field_or_a_value_of_the_wrong_type_fails_where_the_change_is_made() -> None:
    with pytest.raises(TypeError, match="no field 'titel'"):
        Changes(Group, titel="Hiking")
    with pytest.raises(TypeError, match="role"):
        Changes(Member, role="ADMIN")
    with pytest.raises(TypeError, match="settings"):
        Changes(Group, settings=Changes(Member, role=Role.ADMIN))


def test_a_new_document_leaves_out_what_is_empty_but_keeps_every_setting() -> None:
    group = Group(
        id=str(ObjectId()), appid="wx1", open_gid=None, kind=GroupKind.APP_GROUP, chat_type=None,
        title="Hiking", owner_id="u1", created_at=NOW,
    )  # fmt: skip

    doc = GROUPS.document(group)

    assert not {"openGId", "chatType", "announcement", "pins"} & set(doc)
    assert doc["membersCanInvite"] is True  # a default a later release may change stays stored
    assert GROUPS.record(doc) == group


def test_emptying_an_items_content_writes_every_content_key() -> None:
    deleted = ITEMS.to_set(Changes(Item, content=ItemContent(), deleted_at=NOW))

    assert deleted == {
        "text": None,
        "media": [],
        "link": None,
        "poll": None,
        "mentions": [],
        "mentionsAll": False,
        "deletedAt": NOW,
    }


def test_a_record_read_is_the_record_its_constructor_builds_and_stays_frozen() -> None:
    member = Member(
        id=str(ObjectId()), group_id=str(ObjectId()), user_id="u1", role=Role.ADMIN,
        status=MemberStatus.ACTIVE, joined_at=NOW, group_openid=None, muted_until=None,
    )  # fmt: skip

    read = MEMBERS.record(MEMBERS.document(member))

    assert read == member and hash(read) == hash(member) and type(read) is Member
    with pytest.raises(dataclasses.FrozenInstanceError):
        read.role = Role.MEMBER  # type: ignore[misc]


def test_a_record_with_a_post_init_is_still_built_by_its_constructor() -> None:
    @dataclasses.dataclass(frozen=True)
    class Checked:
        name: str

        def __post_init__(self) -> None:
            if not self.name:
                raise ValueError("a name is required")

    table = Table(Checked, name="name")

    assert table.record({"name": "Ada"}) == Checked("Ada")
    with pytest.raises(ValueError, match="a name is required"):
        table.record({"name": ""})


def test_an_enum_reads_by_its_value_and_a_stray_value_is_refused() -> None:
    table = Table(Sized, size=enum_key(Size, "size"), sizes=enum_set_key(Size, "sizes"))

    read = table.record({"size": "S", "sizes": ["L", "S"]})

    assert read.size is Size.SMALL and read.sizes == frozenset({Size.SMALL, Size.LARGE})
    assert table.record({"size": "small", "sizes": []}).size is Size.SMALL  # by _missing_
    with pytest.raises(ValueError, match="'XL' is not a valid Size"):
        table.record({"size": "XL", "sizes": []})
    with pytest.raises(ValueError, match="is not a valid Size"):
        table.record({"size": ["S"], "sizes": []})  # unhashable: a stray value, not a crash


class Size(Enum):
    SMALL = "S"
    LARGE = "L"

    @classmethod
    def _missing_(cls, value: object) -> "Size | None":
        return cls.SMALL if value == "small" else None  # an older spelling, as an enum may read


@dataclasses.dataclass(frozen=True)
class Sized:
    size: Size
    sizes: frozenset[Size]


@dataclasses.dataclass(frozen=True)
class Defaults:
    count: int
    label: str = "none"
    tags: list[str] = dataclasses.field(default_factory=list)
    note: str | None = None
    size: Size | None = None


def test_each_missing_key_reads_as_its_fields_default_and_a_factory_makes_a_new_one() -> None:
    table = Table(
        Defaults,
        count="n",
        label="l",
        tags="t",
        note=dataclasses.replace(Key("o"), missing="(none)"),
        size=enum_key(Size, "s"),
    )

    first, second = table.record({"n": 1}), table.record({"n": 2})

    assert first == Defaults(1, "none", [], "(none)", None)
    assert first.tags is not second.tags  # made afresh, as the constructor makes it
    stored_null = table.record({"n": 3, "l": None, "o": None, "s": "L"})
    assert (stored_null.label, stored_null.note, stored_null.size) == (None, None, Size.LARGE)
    with pytest.raises(KeyError, match="a stored document has no 'n' \\(count is required\\)"):
        table.record({"l": "x"})
