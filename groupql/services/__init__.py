"""The domain: rules and permissions, independent of GraphQL."""

from dataclasses import dataclass
from datetime import timedelta

from groupql.config import Settings
from groupql.services.auth import AuthService
from groupql.services.clock import Clock, utc_now
from groupql.services.groups import GroupService
from groupql.services.items import ItemService
from groupql.services.session_keys import SessionKeyCipher
from groupql.services.sharing import SharingService
from groupql.store import Store
from groupql.wechat.code2session import Code2Session


@dataclass(frozen=True)
class Services:
    store: Store
    auth: AuthService
    groups: GroupService
    items: ItemService
    sharing: SharingService

    @classmethod
    def build(
        cls, settings: Settings, store: Store, code2session: Code2Session, clock: Clock = utc_now
    ) -> "Services":
        auth = AuthService(
            store=store,
            code2session=code2session,
            cipher=SessionKeyCipher(settings.secret_key_value()),
            appid=settings.wechat_appid,
            session_ttl=timedelta(days=settings.session_ttl_days),
            clock=clock,
        )
        groups = GroupService(store)
        return cls(
            store=store,
            auth=auth,
            groups=groups,
            items=ItemService(
                store=store, groups=groups, clock=clock, max_text_length=settings.max_text_length
            ),
            sharing=SharingService(
                store=store,
                auth=auth,
                appid=settings.wechat_appid,
                max_age_s=settings.share_max_age,
                clock=clock,
            ),
        )
