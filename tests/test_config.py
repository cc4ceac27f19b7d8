"""Settings: what dev mode needs (nothing) and what live mode refuses to start without."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from groupql.config import Settings

LIVE = {
    "wechat_mode": "live",
    "wechat_appid": "wxrealapp0000001",
    "wechat_secret": "real-app-secret",
    "secret_key": "k" * 32,
    "mongodb_url": "mongodb://db.example:27017/?replicaSet=rs0",
}
# Each would fail the defaults test, were it to reach Settings.
SHELL = {
    "GROUPQL_WECHAT_MODE": "live",
    "GROUPQL_MONGODB_URL": "postgres://localhost/db",
    "GROUPQL_SECRET_KEY": "short",
}


def test_dev_mode_needs_no_configuration() -> None:
    settings = Settings()
    assert settings.is_dev and settings.uses_memory_store and settings.uses_generated_secret_key
    assert len(settings.secret_key_value()) >= 32


def test_live_mode_starts_with_credentials_and_a_secret_key() -> None:
    settings = Settings(**LIVE)
    assert settings.wechat_secret_value() == "real-app-secret"
    assert settings.secret_key_value() == "k" * 32


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("wechat_secret", "GROUPQL_WECHAT_SECRET"),
        ("secret_key", "GROUPQL_SECRET_KEY"),
        ("wechat_appid", "GROUPQL_WECHAT_APPID"),
        ("mongodb_url", "GROUPQL_MONGODB_URL"),
    ],
)
def test_live_mode_refuses_to_start_without(missing: str, named: str) -> None:
    values = {key: value for key, value in LIVE.items() if key != missing}
    with pytest.raises(ValidationError, match=named):
        Settings(**values)


def test_live_mode_keeps_data_in_memory_only_when_told_so() -> None:
    settings = Settings(**{**LIVE, "mongodb_url": "memory://"})
    assert settings.uses_memory_store


def test_a_short_secret_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(secret_key="short-but-secret-value")
    assert "GROUPQL_SECRET_KEY" in str(refused.value)
    assert "short-but-secret-value" not in str(refused.value)


def test_an_unknown_store_url_scheme_is_refused() -> None:
    with pytest.raises(ValidationError, match="GROUPQL_MONGODB_URL"):
        Settings(mongodb_url="postgres://localhost/db")


def test_secrets_never_show_in_the_settings_repr() -> None:
    settings = Settings(**LIVE)
    assert "real-app-secret" not in repr(settings)
    assert "k" * 32 not in repr(settings)


def test_settings_read_groupql_variables_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in SHELL.items():
        monkeypatch.setenv(name, value)
        with pytest.raises(ValidationError):
            Settings()
        monkeypatch.delenv(name)


def test_groupql_variables_in_the_developers_shell_do_not_reach_the_tests() -> None:
    defaults_test = f"{Path(__file__).name}::test_dev_mode_needs_no_configuration"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", defaults_test],
        cwd=Path(__file__).parent,
        env={**os.environ, **SHELL},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
