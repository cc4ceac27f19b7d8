"""Fetch the GraphiQL assets strawberry's page names from the npm registry into package data.

Run by `make run` (and the Docker build) where npm is on PATH: `python scripts/graphiql_assets.py`.
Each package is `npm pack`ed at the exact version the page names; only the files the page loads
are kept, under groupql/static/graphiql/<package>@<version>/<file>, each checked against the
page's integrity hash. Nothing is fetched when every file is already there.
"""

import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from itertools import groupby
from pathlib import Path

from groupql.graphiql import ASSETS_DIR, Asset, assets


class AssetsNotFetched(Exception):
    pass


def fetch(npm: str, into: Path = ASSETS_DIR) -> list[Asset]:
    """Fetch every missing asset into `into`; the assets fetched."""
    missing = [asset for asset in assets() if not (into / asset.path).is_file()]
    by_package = groupby(
        sorted(missing, key=lambda a: (a.package, a.version)), key=lambda a: (a.package, a.version)
    )
    with tempfile.TemporaryDirectory(prefix="graphiql-assets-") as scratch:
        for (package, version), wanted in by_package:
            tarball = _pack(npm, f"{package}@{version}", Path(scratch))
            with tarfile.open(tarball) as archive:
                for asset in wanted:
                    _extract(archive, asset, into)
    return missing


def _pack(npm: str, spec: str, scratch: Path) -> Path:
    done = subprocess.run(
        [npm, "pack", spec, "--loglevel=error", "--pack-destination", str(scratch)],
        capture_output=True,
        text=True,
        cwd=scratch,
    )
    if done.returncode != 0:
        raise AssetsNotFetched(f"npm pack {spec} failed: {done.stderr.strip()}")
    return scratch / done.stdout.strip().splitlines()[-1]


def _extract(archive: tarfile.TarFile, asset: Asset, into: Path) -> None:
    member = archive.extractfile(f"package/{asset.file}")
    if member is None:
        raise AssetsNotFetched(f"{asset.path} is not a file in the npm package")
    content = member.read()
    algorithm, _, expected = asset.integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, content).digest()).decode()
    if actual != expected:
        # The browser would refuse these bytes: the page's integrity attribute names others.
        raise AssetsNotFetched(
            f"{asset.path} does not match the page's integrity {asset.integrity}"
        )
    target = into / asset.path
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.write_bytes(content)
    partial.replace(target)


def main() -> int:
    npm = shutil.which("npm")
    if npm is None:
        print("graphiql assets: npm is not on PATH; GraphiQL will load them from the CDN")
        return 1
    try:
        fetched = fetch(npm)
    except (AssetsNotFetched, OSError) as error:
        print(f"graphiql assets: {error}; GraphiQL will load them from the CDN", file=sys.stderr)
        return 1
    if fetched:
        print(f"graphiql assets: fetched {len(fetched)} files into {ASSETS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
