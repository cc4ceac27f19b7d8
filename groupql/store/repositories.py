"""The store: one repository per collection of one database."""

from dataclasses import dataclass

from groupql.store.database import Database
from groupql.store.documents import is_valid_id
from groupql.store.groups import Groups
from groupql.store.invites import Invites
from groupql.store.item_search import ItemSearch
from groupql.store.items import Items
from groupql.store.kept_reads import kept_reads
from groupql.store.members import Members
from groupql.store.metrics import Metrics
from groupql.store.notifications import Notifications
from groupql.store.outbox import Outbox
from groupql.store.reports import Reports
from groupql.store.score_records import ScoreRecords
from groupql.store.scores import Scores
from groupql.store.sessions import Sessions
from groupql.store.step_days import StepDays
from groupql.store.subscriptions import Subscriptions
from groupql.store.uploads import MediaFiles, Uploads
from groupql.store.users import Users
from groupql.store.votes import Votes
from groupql.store.wechat_state import PushReceipts


@dataclass(frozen=True)
class Store:
    database: Database
    users: Users
    sessions: Sessions
    groups: Groups
    members: Members
    items: Items
    item_search: ItemSearch
    votes: Votes
    invites: Invites
    notifications: Notifications
    subscriptions: Subscriptions
    # The access token cache is built where its key and clock are known: MongoTokenCache on
    # database.wechat_state.
    push_receipts: PushReceipts
    outbox: Outbox
    uploads: Uploads
    media: MediaFiles
    reports: Reports
    metrics: Metrics
    scores: Scores
    score_records: ScoreRecords
    step_days: StepDays

    @classmethod
    def on(cls, database: Database, *, keep_reads: bool = True) -> "Store":
        """The repositories of `database`, keeping what they read by key while its versions
        hold (groupql.store.kept_reads), unless `keep_reads` is False."""
        versions = database.versions if keep_reads else None
        return cls(
            database=database,
            users=Users(database.users, kept_reads(database.users, versions)),
            sessions=Sessions(database.sessions),
            groups=Groups(database.groups, kept_reads(database.groups, versions)),
            members=Members(
                database.members,
                kept_counts=kept_reads(database.members, versions),
                kept_members=kept_reads(database.members, versions),
            ),
            items=Items(database.items, kept_reads(database.items, versions)),
            item_search=ItemSearch(database.items),
            votes=Votes(database.votes),
            invites=Invites(database.invites),
            notifications=Notifications(database.notifications),
            subscriptions=Subscriptions(database.subscriptions),
            push_receipts=PushReceipts(database.wechat_pushes),
            outbox=Outbox(database.outbox),
            uploads=Uploads(database.uploads),
            media=MediaFiles(database.media),
            reports=Reports(database.reports),
            metrics=Metrics(database.metrics),
            scores=Scores(database.scores),
            score_records=ScoreRecords(database.score_records),
            step_days=StepDays(database.step_days),
        )

    @staticmethod
    def is_id(value: str) -> bool:
        """Whether a string could be the id of a stored record (cursors carry ids)."""
        return is_valid_id(value)
