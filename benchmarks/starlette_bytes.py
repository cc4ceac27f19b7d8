"""Raw Starlette under uvicorn answering every POST /graphql with the same bytes, for
`python -m benchmarks http`: `python benchmarks/starlette_bytes.py PORT BODY_FILE`."""

import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def answering(body: bytes) -> Starlette:
    async def graphql(request: Request) -> Response:
        # Read like a GraphQL server reads it, then ignored.
        await request.body()
        return Response(body, media_type="application/json")

    async def healthz(request: Request) -> Response:
        return Response(b"ok")

    return Starlette(
        routes=[Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)]
    )


def main() -> None:
    port, body_file = sys.argv[1:]
    # uvicorn as `groupql serve` runs it: one worker, its default loop and HTTP parser, access log.
    uvicorn.run(answering(Path(body_file).read_bytes()), host="127.0.0.1", port=int(port))


if __name__ == "__main__":
    main()
