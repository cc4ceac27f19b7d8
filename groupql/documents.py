"""Trusted documents: a manifest maps the SHA-256 of each operation's text to that text."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path


def sha256_of(document: str) -> str:
    """The lowercase hex SHA-256 of the document's UTF-8 text: the hash Apollo's clients send."""
    # surrogatepass: a lone surrogate (no client sends one) still hashes, to a hash listed nowhere.
    return hashlib.sha256(document.encode("utf-8", "surrogatepass")).hexdigest()


def manifest_of(documents: Iterable[str]) -> dict[str, str]:
    return {sha256_of(document): document for document in documents}


def manifest_json(manifest: Mapping[str, str]) -> str:
    """The manifest as JSON, sorted by hash: the same documents always give the same text."""
    return json.dumps(dict(manifest), indent=2, sort_keys=True) + "\n"


def read_manifest(path: Path) -> dict[str, str]:
    """The manifest at `path`; ValueError saying what is wrong with it."""
    try:
        manifest = json.loads(path.read_bytes())
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror}") from None
    except ValueError as error:  # not UTF-8, or not JSON
        raise ValueError(f"{path} is not JSON: {error}") from None
    if not isinstance(manifest, dict) or not manifest:
        raise ValueError(f"{path} must be a JSON object mapping SHA-256 hashes to documents")
    for key, document in manifest.items():
        if not isinstance(document, str):
            raise ValueError(f"{path}: the document under {key[:64]!r} is not a string")
        if key != sha256_of(document):
            raise ValueError(
                f"{path}: {key[:64]!r} is not the SHA-256 of its document "
                f"(which is {sha256_of(document)}); rebuild it with `groupql documents build`"
            )
    return manifest
