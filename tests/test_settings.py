"""Settings: read from the environment (or Streamlit's secrets), checked, and listed in the README."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from catalog import settings
from catalog.settings import SETTINGS, SettingError

ROOT = Path(__file__).resolve().parent.parent


def test_unset_or_empty_means_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_DEADLINE_S", raising=False)
    assert settings.DEADLINE_S.value() == 30.0
    monkeypatch.setenv("OPENROUTER_DEADLINE_S", "  ")
    assert settings.DEADLINE_S.value() == 30.0
    monkeypatch.setenv("OPENROUTER_DEADLINE_S", "2.5")
    assert settings.DEADLINE_S.value() == 2.5


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "OPENROUTER_DEADLINE_S",
            "inf",
            "OPENROUTER_DEADLINE_S='inf' is not valid: expected a finite number",
        ),
        ("OPENROUTER_DEADLINE_S", "soon", "OPENROUTER_DEADLINE_S='soon' is not valid: expected a number"),
        ("OPENROUTER_DEADLINE_S", "0", "OPENROUTER_DEADLINE_S='0' is not valid: expected a number above 0"),
        ("CATALOG_STALE_HOURS", "nan", "CATALOG_STALE_HOURS='nan' is not valid: expected a finite number"),
        (
            "CATALOG_REMOVED_GRACE_DAYS",
            "-1",
            "CATALOG_REMOVED_GRACE_DAYS='-1' is not valid: expected a number of 0 or more",
        ),
        (
            "OPENROUTER_API_BASE",
            "ftp://x",
            "OPENROUTER_API_BASE='ftp://x' is not valid: expected an http:// or https:// URL",
        ),
    ],
)
def test_an_unusable_value_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, name: str, text: str, message: str
) -> None:
    monkeypatch.setenv(name, text)
    with pytest.raises(SettingError) as raised:
        settings.check_all()
    assert str(raised.value) == message


def test_a_hidden_setting_never_repeats_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    hidden = settings.Setting("CATALOG_TEST_TOKEN", None, settings.http_url, "a test", hidden=True)
    monkeypatch.setenv("CATALOG_TEST_TOKEN", "sk-or-canary")
    with pytest.raises(SettingError) as raised:
        hidden.value()
    assert "sk-or-canary" not in str(raised.value)
    assert str(raised.value).startswith("CATALOG_TEST_TOKEN=(hidden) is not valid")


def test_the_command_line_says_so_in_one_line(catalog_dir: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "catalog", "show"],
        env={"PATH": "/usr/bin:/bin", "CATALOG_DIR": str(catalog_dir), "OPENROUTER_DEADLINE_S": "inf"},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == "error: OPENROUTER_DEADLINE_S='inf' is not valid: expected a finite number\n"


def test_the_page_says_so_in_one_line_and_draws_nothing_else(
    catalog_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_DEADLINE_S", "inf")
    page = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    assert not page.exception
    assert [e.value for e in page.error] == [
        "Configuration error: OPENROUTER_DEADLINE_S='inf' is not valid: expected a finite number"
    ]
    assert not page.dataframe and not page.button
    page.run()  # checked once a session: a rerun still says so
    assert len(page.error) == 1 and not page.dataframe


def test_the_readme_table_lists_every_documented_setting_with_its_default() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", section, flags=re.MULTILINE)
    assert [name for name, _ in rows] == [s.name for s in SETTINGS if s.documented]
    table = dict(rows)
    for setting in SETTINGS:
        if isinstance(setting.default, float):
            assert table[setting.name] == f"`{setting.default:g}`"
        elif isinstance(setting.default, str):
            assert table[setting.name] == f"`{setting.default}`"


def test_no_other_module_reads_the_environment() -> None:
    readers = [
        path.relative_to(ROOT).as_posix()
        for folder in ("catalog", "views")
        for path in (ROOT / folder).rglob("*.py")
        if re.search(r"os\.environ|os\.getenv|st\.secrets", path.read_text(encoding="utf-8"))
    ]
    page = (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    assert readers == ["catalog/settings.py"]
    assert "os.environ" not in page and "st.secrets" not in page
