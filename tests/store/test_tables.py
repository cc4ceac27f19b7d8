"""Field-to-key tables read every document shape the store has written, and changes are checked
where they are made."""

from datetime import UTC, datetime

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
    Role,
)
from groupql.store.groups import GROUPS
from groupql.store.items import ITEMS
from groupql.store.members import MEMBERS

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
