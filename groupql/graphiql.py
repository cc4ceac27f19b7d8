"""GraphiQL's page, with its assets served by groupql itself or, when not built, from a CDN."""

import re
from dataclasses import dataclass
from pathlib import Path

from strawberry.http.ides import get_graphql_ide_html

ASSETS_DIR = Path(__file__).parent / "static" / "graphiql"
# Where the assets are served from, relative to the app's root.
ASSETS_ROUTE = "/graphiql"
# The CDN strawberry's page names; any base laid out as unpkg is (<package>@<version>/<file>)
# takes its place.
UNPKG = "https://unpkg.com/"

_ASSET = re.compile(
    r'(?:src|href)="' + re.escape(UNPKG) + r'(?P<package>(?:@[^/"]+/)?[^@/"]+)@(?P<version>[^/"]+)'
    r'/(?P<file>[^"]+)"\s+integrity="(?P<integrity>[^"]+)"'
)


@dataclass(frozen=True)
class Asset:
    package: str
    version: str
    file: str
    # The page's subresource integrity ("sha384-..."): the browser refuses any other bytes.
    integrity: str

    @property
    def path(self) -> str:
        """The asset's path under a base laid out as unpkg is."""
        return f"{self.package}@{self.version}/{self.file}"


def template() -> str:
    return get_graphql_ide_html("graphiql")


def assets() -> list[Asset]:
    """The assets strawberry's GraphiQL page loads, at the exact versions it names."""
    return [Asset(**match.groupdict()) for match in _ASSET.finditer(template())]


def assets_are_built() -> bool:
    return all((ASSETS_DIR / asset.path).is_file() for asset in assets())


def page_html(cdn_base: str) -> str:
    """The page, loading its assets from groupql when they are built and from `cdn_base` if not."""
    base = f"{ASSETS_ROUTE}/" if assets_are_built() else cdn_base.rstrip("/") + "/"
    return template().replace(UNPKG, base)
