"""The planner's rules (tests/store/planner.py): which declared index serves a shape, and
whether an operation carries its collection's shard key."""

from typing import Any

from tests.store.planner import (
    Index,
    declared_indexes,
    is_eligible,
    is_targeted,
    problems,
    serves,
    serving_index,
)


def served_by(shape: dict[str, Any]) -> str | None:
    index = serving_index(shape, declared_indexes(shape["collection"]))
    return None if index is None else index.name


def test_a_share_ticket_join_is_served_by_the_index_partial_on_openGId_presence() -> None:
    join = {"appid": "=", "openGId": "="}

    assert served_by({"collection": "groups", "kind": "findAndModify", "filter": join}) == (
        "appid_1_openGId_1_present"
    )


def test_the_old_index_partial_on_openGId_type_would_not_serve_the_join() -> None:
    typed = Index(
        "appid_1_openGId_1",
        (("appid", 1), ("openGId", 1)),
        is_unique=True,
        partial={"openGId": {"$type": "string"}},
    )

    assert not serves(typed, {"appid": "=", "openGId": "="}, [])
    assert serves(typed, {"appid": "=", "openGId": "$type string"}, [])


def test_a_null_equality_does_not_imply_the_field_is_present() -> None:
    present = Index("present", (("openGId", 1),), partial={"openGId": {"$exists": True}})

    assert not is_eligible(present, {"openGId": "null"})
    assert not is_eligible(present, {"openGId": "$in with null"})
    assert is_eligible(present, {"openGId": "$in"})
    assert is_eligible(present, {"openGId": "$exists true"})


def test_a_members_page_is_served_by_group_status_and_id() -> None:
    page = {"groupId": "=", "status": "=", "_id": "$gt"}
    shape = {"collection": "members", "kind": "find", "filter": page, "sort": ["_id"]}

    assert served_by(shape) == "groupId_1_status_1__id_1"


def test_an_index_scanned_backwards_serves_the_reversed_sort() -> None:
    by_seq = Index("groupId_1_seq_1", (("groupId", 1), ("seq", 1)))

    assert serves(by_seq, {"groupId": "=", "seq": "$lt"}, ["-seq"])
    assert not serves(by_seq, {"groupId": "$in"}, ["groupId", "-seq"])  # mixed directions


def test_a_sort_on_a_field_the_index_does_not_hold_next_is_not_served() -> None:
    # The next owner's lookup, against the members page's index: it would sort in memory.
    members_page = Index("members_page", (("groupId", 1), ("status", 1), ("_id", 1)))
    longest_standing = {"groupId": "=", "status": "=", "role": "=", "userId": "$ne"}

    assert not serves(members_page, longest_standing, ["joinedAt", "_id"])
    with_its_own = Index(
        "next_owner",
        (("groupId", 1), ("status", 1), ("role", 1), ("joinedAt", 1), ("_id", 1)),
    )
    assert serves(with_its_own, longest_standing, ["joinedAt", "_id"])


def test_a_sort_after_a_multi_value_in_is_served_by_merging_sorted_scans() -> None:
    album = Index("album", (("groupId", 1), ("type", 1), ("seq", -1)))

    assert serves(album, {"groupId": "=", "type": "$in", "deletedAt": "null"}, ["-seq"])


def test_a_range_before_the_sort_in_the_index_is_not_served() -> None:
    range_first = Index("range_first", (("groupId", 1), ("seq", 1), ("createdAt", 1)))
    sort_first = Index("sort_first", (("groupId", 1), ("createdAt", 1), ("seq", 1)))
    query = {"groupId": "=", "seq": "$gt"}

    assert not serves(range_first, query, ["createdAt"])
    assert serves(sort_first, query, ["createdAt"])


def test_an_equality_the_index_does_not_hold_is_not_served() -> None:
    by_seq = Index("groupId_1_seq_1", (("groupId", 1), ("seq", 1)))

    assert not serves(by_seq, {"groupId": "=", "type": "$in"}, ["-seq"])


def test_a_unique_index_serves_a_lookup_whatever_else_it_filters() -> None:
    live_item = {"groupId": "=", "_id": "=", "deletedAt": "null"}

    assert (
        served_by({"collection": "items", "kind": "findAndModify", "filter": live_item}) == "_id_"
    )


def test_an_unfiltered_scan_is_not_served() -> None:
    assert served_by({"collection": "users", "kind": "find", "filter": {}, "limit": True}) is None


def test_members_reads_by_user_alone_are_scatter_gather_and_by_group_targeted() -> None:
    def members(filter: dict[str, Any]) -> dict[str, Any]:
        return {"collection": "members", "kind": "find", "filter": filter}

    assert is_targeted(members({"userId": "=", "status": "="})) is False
    assert is_targeted(members({"groupId": "$in", "userId": "="})) is True


def test_a_write_of_one_document_must_name_its_whole_shard_key() -> None:
    def upsert(filter: dict[str, Any]) -> dict[str, Any]:
        return {"collection": "votes", "kind": "findAndModify", "filter": filter, "upsert": True}

    def delete_one(filter: dict[str, Any]) -> dict[str, Any]:
        return {"collection": "members", "kind": "delete", "filter": filter, "limit": True}

    assert is_targeted(upsert({"itemId": "=", "userId": "="})) is True
    assert is_targeted(upsert({"itemId": "="})) is False
    assert is_targeted(delete_one({"groupId": "=", "userId": "="})) is True
    assert is_targeted(delete_one({"groupId": "=", "_id": "="})) is False


def test_an_item_inserted_without_its_group_is_not_targeted() -> None:
    assert is_targeted({"collection": "items", "kind": "insert", "shardKey": []}) is False
    assert is_targeted({"collection": "users", "kind": "insert"}) is None


def test_a_mark_that_no_longer_holds_is_a_problem() -> None:
    lookup = {"collection": "users", "kind": "find", "filter": {"_id": "$in"}}

    assert problems({**lookup, "unindexed": "a scan"}) == [
        'index _id_ serves it: remove its "unindexed" mark'
    ]
    assert problems({**lookup, "scatter": "by id"}) == [
        'it is not scatter-gather: remove its "scatter" mark'
    ]


def test_an_or_is_served_when_each_of_its_clauses_is() -> None:
    mine = {"groupId": "=", "mentions": "=", "seq": "$gt"}
    everyone = {"groupId": "=", "mentionsAll": "=", "seq": "$gt", "authorId": "$ne"}
    shape = {
        "collection": "items",
        "kind": "aggregate",
        "pipeline": [{"$match": {"$or": [mine, everyone]}}],
    }

    assert served_by(shape) is not None
    assert is_targeted(shape) is True
    unserved = {"$or": [mine, {"authorId": "="}]}
    assert served_by({**shape, "pipeline": [{"$match": unserved}]}) is None
    assert is_targeted({**shape, "pipeline": [{"$match": unserved}]}) is False


def test_a_search_is_served_by_the_terms_index_bounded_by_one_of_its_terms() -> None:
    in_group = {"groupId": "=", "terms": "$all", "review": "$nin"}
    across = {"groupId": "$in", "terms": "$all", "review": "$nin"}

    assert served_by(
        {"collection": "items", "kind": "find", "filter": in_group, "sort": ["-seq"]}
    ) == ("groupId_1_terms_1_seq_-1")
    assert served_by(
        {"collection": "items", "kind": "find", "filter": across, "sort": ["-createdAt", "-_id"]}
    ) == ("groupId_1_terms_1_createdAt_-1__id_-1")
    # Without a term to bound it by, the terms index would be read whole.
    assert not serves(
        Index("t", (("groupId", 1), ("terms", 1), ("seq", -1))), {"groupId": "="}, ["-seq"]
    )
