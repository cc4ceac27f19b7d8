"""The `groupql` command: serve the API, print the schema, and dev-mode helpers."""

import argparse
import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn
from pydantic import ValidationError

from groupql.config import Settings
from groupql.documents import manifest_json, manifest_of
from groupql.observability.logs import log_config
from groupql.serving_options import uvicorn_options
from groupql.wechat.code2session import dev_session_for_code
from groupql.wechat.crypto import encrypt_wechat_data

if TYPE_CHECKING:
    from groupql.store.indexes import IndexPlan


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        field = "_".join(str(part) for part in first["loc"]).upper()
        where = f"GROUPQL_{field}: " if field else ""
        sys.exit(f"groupql: {where}{first['msg'].removeprefix('Value error, ')}")


def _serve(args: argparse.Namespace) -> None:
    if args.trusted_proxies is not None:
        # Through the environment, so that every worker's settings have it too.
        os.environ["GROUPQL_TRUSTED_PROXIES"] = args.trusted_proxies
    settings = _settings()
    if args.workers > 1:
        _check_workers(settings)
    from groupql.app import create_app

    # Checked before uvicorn starts, so that stale indexes refuse with one line, not a traceback;
    # the app is told what was found, so that it does not wait for a silent database again.
    indexes_checked = None if settings.uses_memory_store else asyncio.run(_check_indexes(settings))

    log_format = args.log_format or settings.log_format
    # Several workers each build the app from the environment (create_app is their factory).
    app = (
        create_app(settings, indexes_checked=indexes_checked, tune_collector=True)
        if args.workers == 1
        else None
    )
    uvicorn.run(
        app or "groupql.app:served_app",
        factory=app is None,
        workers=args.workers,
        host=args.host,
        port=args.port,
        log_config=log_config(uvicorn.config.LOGGING_CONFIG, log_format),
        **uvicorn_options(settings),
    )


def _check_workers(settings: Settings) -> None:
    """Several worker processes share nothing but the store and the bus: refuse what would
    split them (an in-process bus: a subscriber on one worker would miss events published on
    another; an in-memory store: each worker would have its own)."""
    if settings.uses_memory_store:
        sys.exit("groupql: --workers > 1 needs a MongoDB (GROUPQL_MONGODB_URL), not memory://")
    if settings.redis_url is None:
        sys.exit(
            "groupql: --workers > 1 needs GROUPQL_REDIS_URL: with the in-process event bus, "
            "subscribers on one worker would miss events published on another"
        )


async def _check_indexes(settings: Settings) -> bool:
    """Whether the indexes are current (False: the database did not answer); exits when stale."""
    from groupql.store import connect
    from groupql.store.indexes import StaleIndexes
    from groupql.wiring import indexes_checked_at_start

    database = connect(settings.mongodb_url, settings.mongodb_db)
    try:
        return await indexes_checked_at_start(database)
    except StaleIndexes as stale:
        sys.exit(f"groupql: {stale}")
    finally:
        await database.close()


def _migrate(args: argparse.Namespace) -> None:
    settings = _settings()
    done = asyncio.run(_migrate_indexes(settings))
    for line in done.describe() or ["the indexes are current: nothing to do"]:
        print(line)
    if any("terms" in model.document["key"] for _, model in done.create):
        print("items written before search are not found until `groupql search reindex` ran")


def _search_reindex(args: argparse.Namespace) -> None:
    settings = _settings()
    read, changed = asyncio.run(_reindex(settings, args.batch))
    print(f"done: {read} items read, {changed} changed")


async def _reindex(settings: Settings, batch: int) -> tuple[int, int]:
    from groupql.store import Store, connect
    from groupql.store.item_search import reindex_all
    from groupql.wiring import shared_versions

    # The versions the app's response cache reads: what this changes is not served kept.
    versions = shared_versions(settings)
    database = connect(settings.mongodb_url, settings.mongodb_db, versions=versions)
    try:
        return await reindex_all(
            Store.on(database).item_search,
            batch=batch,
            progress=lambda read, changed: print(f"{read} items read, {changed} changed"),
        )
    except Exception as error:
        sys.exit(f"groupql: search reindex failed: {error}")
    finally:
        await database.close()
        if versions is not None:
            await versions.close()


async def _migrate_indexes(settings: Settings) -> "IndexPlan":
    from groupql.store import connect
    from groupql.store.indexes import migrate

    database = connect(settings.mongodb_url, settings.mongodb_db)
    try:
        return await migrate(database.collections())
    except Exception as error:
        sys.exit(f"groupql: migrate failed: {error}")
    finally:
        await database.close()


def _schema(args: argparse.Namespace) -> None:
    from groupql.schema import schema

    if args.changes_since is None:
        print(schema.as_str())
        return
    from groupql.schema_changes import print_changes_since

    sys.exit(print_changes_since(args.changes_since, schema.as_str()))


def _documents_build(args: argparse.Namespace) -> None:
    from groupql.schema import schema
    from groupql.schema.persisted import problems_of

    documents, refusals = [], []
    for path in _graphql_files(args.files):
        try:
            document = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            sys.exit(f"groupql: cannot read {path}: {error}")
        refusals += [
            f"groupql: {path}: {problem}" for problem in problems_of(document, schema._schema)
        ]
        documents.append(document)
    if refusals:
        sys.exit("\n".join(refusals))
    manifest = manifest_of(documents)
    if args.out is None:
        sys.stdout.write(manifest_json(manifest))
    else:
        args.out.write_text(manifest_json(manifest), encoding="utf-8")
        print(f"{len(manifest)} documents written to {args.out}")


def _graphql_files(paths: list[Path]) -> list[Path]:
    """The files named, and the .graphql files in the directories named (sorted)."""
    files = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*.graphql"))
        elif path.is_file():
            files.append(path)
        else:
            sys.exit(f"groupql: no such file or directory: {path}")
    if not files:
        sys.exit("groupql: no .graphql files in " + ", ".join(str(path) for path in paths))
    return files


def _share_ticket(args: argparse.Namespace) -> None:
    settings = _settings()
    if not settings.is_dev:
        sys.exit("groupql: dev share-ticket works only in dev mode (GROUPQL_WECHAT_MODE=dev)")
    session = dev_session_for_code(args.code, settings.wechat_appid)
    payload = {
        "openGId": args.open_gid,
        "watermark": {"appid": settings.wechat_appid, "timestamp": int(time.time())},
    }
    encrypted_data, iv = encrypt_wechat_data(payload, session.session_key)
    print(json.dumps({"encryptedData": encrypted_data, "iv": iv}))


def _positive(value: str) -> int:
    if not (value.isascii() and value.isdecimal()) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"not a positive number: {value!r}")
    return int(value)


def _werun(args: argparse.Namespace) -> None:
    settings = _settings()
    if not settings.is_dev:
        sys.exit("groupql: dev werun works only in dev mode (GROUPQL_WECHAT_MODE=dev)")
    session = dev_session_for_code(args.code, settings.wechat_appid)
    today = datetime.now(settings.tz).date()
    days = [today - timedelta(days=back) for back in reversed(range(len(args.steps)))]
    payload = {
        "stepInfoList": [
            {"timestamp": int(datetime.combine(day, dt_time(), settings.tz).timestamp()), "step": n}
            for day, n in zip(days, args.steps, strict=True)
        ],
        "watermark": {"appid": settings.wechat_appid, "timestamp": int(time.time())},
    }
    encrypted_data, iv = encrypt_wechat_data(payload, session.session_key)
    print(json.dumps({"encryptedData": encrypted_data, "iv": iv}))


def _step_counts(value: str) -> list[int]:
    counts = value.split(",")
    if not 1 <= len(counts) <= 31 or not all(c.isascii() and c.isdecimal() for c in counts):
        raise argparse.ArgumentTypeError(
            f"not 1-31 comma-separated step counts (oldest first, today last): {value!r}"
        )
    return [int(count) for count in counts]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="groupql", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="start the API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="worker processes (more than 1 needs GROUPQL_REDIS_URL and a MongoDB)",
    )
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        help="text as uvicorn prints it, or one JSON object per line with a line per GraphQL "
        "operation (default: GROUPQL_LOG_FORMAT, else text)",
    )
    serve.add_argument(
        "--trusted-proxies",
        metavar="ADDRESSES",
        help="comma-separated addresses or networks (CIDR) of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed (default: GROUPQL_TRUSTED_PROXIES, "
        "else 127.0.0.1)",
    )
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser(
        "migrate", help="create and change the database's indexes (idempotent; run before serve)"
    )
    migrate.set_defaults(run=_migrate)

    search = commands.add_parser("search", help="the search index").add_subparsers(
        dest="search_command", required=True
    )
    reindex = search.add_parser(
        "reindex",
        help="write the search terms of every item where they are not current (items written "
        "before search, or before a change of how text is indexed); safe to run while serving, "
        "and again",
    )
    reindex.add_argument(
        "--batch", type=_positive, default=500, help="items read per round trip (default 500)"
    )
    reindex.set_defaults(run=_search_reindex)

    schema = commands.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.add_argument(
        "--changes-since",
        type=Path,
        metavar="FILE",
        help="instead of the schema, print what changed since the schema in FILE (BREAKING or "
        "DANGEROUS, one per line); exit status 1 when a change is breaking",
    )
    schema.set_defaults(run=_schema)

    documents = commands.add_parser(
        "documents", help="trusted documents (GROUPQL_TRUSTED_DOCUMENTS)"
    ).add_subparsers(dest="documents_command", required=True)
    build = documents.add_parser(
        "build",
        help="check a client's operations against the schema and print their manifest "
        "(sha256 -> document)",
    )
    build.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="a .graphql file, or a directory of them",
    )
    build.add_argument("--out", type=Path, help="write the manifest here instead of printing it")
    build.set_defaults(run=_documents_build)

    dev = commands.add_parser("dev", help="dev-mode helpers").add_subparsers(
        dest="dev_command", required=True
    )
    share_ticket = dev.add_parser(
        "share-ticket",
        help="print the encryptedData and iv that wx.getShareInfo would give a dev-mode user",
    )
    share_ticket.add_argument("--code", required=True, help="the code the user logged in with")
    share_ticket.add_argument("--open-gid", required=True, help="the WeChat group's openGId")
    share_ticket.set_defaults(run=_share_ticket)
    werun = dev.add_parser(
        "werun",
        help="print the encryptedData and iv that wx.getWeRunData would give a dev-mode user",
    )
    werun.add_argument("--code", required=True, help="the code the user logged in with")
    werun.add_argument(
        "--steps",
        required=True,
        type=_step_counts,
        help="daily steps, comma-separated, oldest first and today last (e.g. 8000,12000,3500)",
    )
    werun.set_defaults(run=_werun)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    args.run(args)
