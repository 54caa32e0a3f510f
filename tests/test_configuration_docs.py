"""The README's configuration table and `.env.example` name every setting, with its default."""

from __future__ import annotations

import re

import pytest
from pydantic import AliasChoices

from bot.settings import Settings
from tests.support import REPO_ROOT

_ROW = re.compile(r"^\| `([A-Z_]+)` \| ([^|]*) \|", re.MULTILINE)


def variable_names() -> dict[str, str]:
    """Environment variable -> Settings field, as pydantic-settings reads them."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: dict[str, str] = {}
    for field_name, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names[str(alias.choices[0])] = field_name
        else:
            names[f"{prefix}{field_name}".upper()] = field_name
    return names


def readme_defaults() -> dict[str, str]:
    section = (REPO_ROOT / "README.md").read_text(encoding="utf-8").split("## Configuration")[1]
    table = section.split("\n## ")[0]
    return {name: default.strip() for name, default in _ROW.findall(table)}


def env_example() -> dict[str, str]:
    lines = (REPO_ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    pairs = (line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def test_the_readme_table_names_every_setting_and_nothing_else() -> None:
    assert sorted(readme_defaults()) == sorted(variable_names())


def test_env_example_names_every_setting_and_nothing_else() -> None:
    assert sorted(env_example()) == sorted(variable_names())


def _plain(value: object) -> str:
    """A default as a person writes it in `.env`."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(getattr(value, "value", value))


@pytest.mark.parametrize("variable", sorted(variable_names()))
def test_documented_defaults_are_the_real_defaults(variable: str) -> None:
    field = Settings.model_fields[variable_names()[variable]]
    default = field.get_default(call_default_factory=True)
    documented = readme_defaults()[variable]
    example = env_example()[variable]

    if default is None or default == []:
        # no fixed default: the README says what happens instead ("empty = all", a path derived
        # from the data directory), .env.example leaves it empty (the token has a placeholder
        # that start-up refuses)
        assert documented
        assert example == "" or variable == "TELEGRAM_BOT_TOKEN"
    else:
        assert documented == f"`{_plain(default)}`"
        assert example == _plain(default)
