"""Phrasebooks (`prompts/phrasebook.<lang>.yaml`): the composer's wording, per language."""

from __future__ import annotations

import hashlib
import string
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from drafter.core.drafts import ReplyLanguage
from drafter.core.errors import ConfigurationError


class QuestionPhrase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    text: str
    options: list[str] = Field(min_length=2, max_length=3)


class Phrasebook(BaseModel):
    """Lists of interchangeable sentences; one is picked per draft, deterministically."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    language: ReplyLanguage
    greeting: list[str]
    greeting_anonymous: list[str]
    listen: dict[str, list[str]]
    empathize: dict[str, list[str]]
    apologize: dict[str, list[str]]
    resolution: dict[str, list[str]]
    goodwill: dict[str, list[str]]
    question: dict[str, QuestionPhrase]
    after_refusal: list[str]
    sign_off: list[str]
    sign_off_anonymous: list[str]

    @classmethod
    def load(cls, path: Path) -> Phrasebook:
        try:
            return cls.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError, ValueError) as exc:
            raise ConfigurationError(f"phrasebook {path}: {exc}") from exc

    @staticmethod
    def pick(options: list[str], seed: str) -> str:
        """The same seed always picks the same variant; different conversations vary."""
        digest = hashlib.blake2b(seed.encode(), digest_size=4).digest()
        return options[int.from_bytes(digest, "little") % len(options)]

    def say(self, options: list[str], seed: str, **slots: Any) -> str:
        return fill(self.pick(options, seed), slots)

    def render_question(self, key: str) -> tuple[str, list[str]]:
        phrase = self.question.get(key) or self.question["other"]
        options = phrase.options
        if self.language == "zh":
            head = "、".join(options[:-1])
            return f"{phrase.text}{head}还是{options[-1]}呢？", options
        head = ", ".join(options[:-1])
        return f"{phrase.text} {head} or {options[-1]}?", options


def fill(template: str, slots: dict[str, Any]) -> str:
    """Format with only the placeholders the template names; an unknown one is a configuration error."""
    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = names - slots.keys()
    if missing:
        raise ConfigurationError(f"phrase {template!r} needs {sorted(missing)}")
    return template.format(**{n: slots[n] for n in names})


def load_phrasebooks(folder: Path) -> dict[ReplyLanguage, Phrasebook]:
    books = {lang: Phrasebook.load(folder / f"phrasebook.{lang}.yaml") for lang in ("en", "zh")}
    return books  # type: ignore[return-value]
