"""Prompt files with a manifest of versions, rendered in a sandbox with strict undefined variables."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict

from drafter.core.errors import ConfigurationError


class PromptSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    version: str
    files: list[str]
    variables: list[str]


class PromptLibrary:
    """Customer and knowledge text are always variables, never template source."""

    def __init__(self, folder: Path) -> None:
        try:
            manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
            self._specs = {s.name: s for s in (PromptSpec.model_validate(p) for p in manifest["prompts"])}
        except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
            raise ConfigurationError(f"prompt manifest in {folder}: {exc}") from exc
        self._folder = folder
        self._env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)

    def version(self, name: str) -> str:
        return self._spec(name).version

    def _spec(self, name: str) -> PromptSpec:
        if name not in self._specs:
            raise ConfigurationError(f"no prompt {name!r} in the manifest")
        return self._specs[name]

    def render(self, name: str, **variables: Any) -> list[str]:
        """Each of the prompt's files rendered with exactly the manifest's variables."""
        spec = self._spec(name)
        missing = set(spec.variables) - variables.keys()
        if missing:
            raise ConfigurationError(f"prompt {name} needs {sorted(missing)}")
        out = []
        for file in spec.files:
            try:
                template = self._env.from_string((self._folder / file).read_text(encoding="utf-8"))
                out.append(template.render(**{k: variables[k] for k in spec.variables}))
            except (OSError, TemplateError) as exc:
                raise ConfigurationError(f"prompt {name}/{file}: {exc}") from exc
        return out
