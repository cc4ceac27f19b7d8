"""What a photo and a checked post cost: MB/s through an upload of a 5 MB phone JPEG (its POST
to /uploads and completeUpload, which decodes, turns, strips and thumbnails it), and the time a
content check against a WeChat on loopback adds to a post, against the same post unchecked."""

import hashlib
import io
import random
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import httpx
from PIL import Image

from benchmarks.feed import APPID, JOIN, SECRET_KEY, graphql_data, share_ticket
from groupql.app import create_app
from groupql.config import Settings
from tests.fakes.wechat import FAKE_APPID, FAKE_SECRET, running_fake_wechat

ROUNDS = 10
POSTS = 50
CREATE = """
mutation($input: CreateUploadInput!) { createUpload(input: $input) { id url headers } }
"""
COMPLETE = "mutation($id: ID!) { completeUpload(id: $id) { id width height } }"
POST = 'mutation($g: ID!) { postItem(input: {groupId: $g, text: "周末一起去爬山吗"}) { seq } }'
LOGIN = "mutation($code: String!) { login(code: $code) { token } }"


@dataclass
class UploadCost:
    megabytes: float
    upload_s: float
    complete_s: float
    plain_post_s: float
    checked_post_s: float

    @property
    def mb_per_s(self) -> float:
        return self.megabytes / (self.upload_s + self.complete_s)


def phone_jpeg(target_bytes: int = 5_000_000) -> bytes:
    """A noisy 12-megapixel-class JPEG of about `target_bytes`, with EXIF orientation."""
    rng = random.Random(7)
    side = 2600
    image = Image.frombytes("RGB", (side, side * 3 // 4), rng.randbytes(side * side * 3 // 4 * 3))
    exif = Image.Exif()
    exif[0x0112] = 6
    for quality in (70, 80, 90, 95):
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=quality, exif=exif)
        if buffer.tell() >= target_bytes:
            break
    return buffer.getvalue()


async def _uploads(
    http: httpx.AsyncClient, token: str, group_id: str
) -> tuple[list[float], list[float], int]:
    photo = phone_jpeg()
    uploads, completes = [], []
    for n in range(ROUNDS):
        # Another file each round (the same would be de-duplicated): a comment segment differs.
        data = photo[:2] + b"\xff\xfe\x00\x04" + n.to_bytes(2, "big") + photo[2:]
        input = {
            "groupId": group_id,
            "kind": "IMAGE",
            "mime": "image/jpeg",
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        created = await graphql_data(http, CREATE, {"input": input}, token=token)
        ticket = created["createUpload"]
        started = perf_counter()
        sent = await http.post(
            ticket["url"],
            files={"file": ("photo.jpg", data, "image/jpeg")},
            headers=ticket["headers"],
        )
        uploads.append(perf_counter() - started)
        assert sent.status_code == 200, sent.text
        started = perf_counter()
        await graphql_data(http, COMPLETE, {"id": ticket["id"]}, token=token)
        completes.append(perf_counter() - started)
    return uploads, completes, len(photo)


async def _posts(settings: Settings) -> float:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.bench") as http:
            token, group_id = await _member(http, settings)
            times = []
            for _ in range(POSTS):
                started = perf_counter()
                await graphql_data(http, POST, {"g": group_id}, token=token)
                times.append(perf_counter() - started)
    return statistics.median(times)


async def _member(http: httpx.AsyncClient, settings: Settings) -> tuple[str, str]:
    token = (await graphql_data(http, LOGIN, {"code": "bench-owner"}))["login"]["token"]
    ticket = share_ticket("bench-owner", settings.wechat_appid, "G-upload-bench")
    joined = await graphql_data(http, JOIN, ticket, token=token)
    return token, joined["resolveShareTicket"]["group"]["id"]


async def run() -> UploadCost:
    with tempfile.TemporaryDirectory() as media:
        settings = Settings(
            secret_key=SECRET_KEY,
            wechat_appid=APPID,
            mongodb_url="memory://",
            media_dir=Path(media),
            rate_writes_per_min=0,
        )
        app = create_app(settings)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://groupql.bench", timeout=60
            ) as http:
                token, group_id = await _member(http, settings)
                uploads, completes, size = await _uploads(http, token, group_id)
        plain = await _posts(settings)
    with running_fake_wechat() as fake:
        fake.add_code("bench-owner", "openid-bench-owner")
        checked = await _live_posts(fake.base_url)
    return UploadCost(
        size / 1e6, statistics.median(uploads), statistics.median(completes), plain, checked
    )


async def _live_posts(api_base: str) -> float:
    settings = Settings(
        secret_key=SECRET_KEY,
        wechat_mode="live",
        wechat_appid=FAKE_APPID,
        wechat_secret=FAKE_SECRET,
        wechat_api_base=api_base,
        mongodb_url="memory://",
        rate_writes_per_min=0,
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://groupql.bench") as http:
            token = (await graphql_data(http, LOGIN, {"code": "bench-owner"}))["login"]["token"]
            group = await graphql_data(
                http, 'mutation { createGroup(input: {title: "Bench"}) { id } }', {}, token=token
            )
            group_id = group["createGroup"]["id"]
            times = []
            for _ in range(POSTS):
                started = perf_counter()
                await graphql_data(http, POST, {"g": group_id}, token=token)
                times.append(perf_counter() - started)
    return statistics.median(times)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def rows(cost: UploadCost) -> list[list[str]]:
    ms = _ms
    return [
        ["measure", "median", ""],
        [f"POST /uploads/{{id}} of a {cost.megabytes:.1f} MB JPEG", ms(cost.upload_s), ""],
        ["completeUpload (sha256, decode, upright, strip, 2 thumbnails)", ms(cost.complete_s), ""],
        ["upload throughput", f"{cost.mb_per_s:.1f} MB/s", ""],
        ["postItem, dev mode (no content check)", ms(cost.plain_post_s), "1.00x"],
        [
            "postItem, live mode: msgSecCheck on the fake WeChat (loopback HTTP)",
            ms(cost.checked_post_s),
            f"{cost.checked_post_s / cost.plain_post_s:.2f}x",
        ],
    ]
