"""Reading TOML files of course packages with line numbers, so every problem can name its line.

``tomllib`` gives values but no positions; ``LineIndex`` scans the text once and remembers the
line where each table and key is written, addressed by paths such as
``questions[2].choices[0].text.en``. Lookups fall back to the nearest enclosing table.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lms.activities.base import Problem

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-.\"' ]+?)\s*=\s*(.*)$")
_INLINE_KEY = re.compile(r"([A-Za-z0-9_-]+)\s*=")
_SYNTAX_LINE = re.compile(r"at line (\d+)")


def _segments(dotted: str) -> list[str]:
    return [part.strip().strip('"').strip("'") for part in dotted.split(".")]


@dataclass
class LineIndex:
    """Line numbers of tables and keys in one TOML text."""

    lines: dict[str, int] = field(default_factory=dict)
    _counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(cls, text: str) -> "LineIndex":
        index = cls()
        current = ""
        in_multiline: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_multiline:
                if line.count(in_multiline) % 2 == 1:
                    in_multiline = None
                continue
            header = _HEADER.match(line)
            if header and not line.lstrip().startswith(("[\"", "['")):
                current = index._open_table(_segments(header.group(2)), header.group(1) == "[[", number)
                continue
            key = _KEY.match(line)
            if key:
                path = ".".join(filter(None, [current, *_segments(key.group(1))]))
                index.lines.setdefault(path, number)
                value = key.group(2)
                if value.startswith("{"):
                    for inner in _INLINE_KEY.findall(value):
                        index.lines.setdefault(f"{path}.{inner}", number)
                for quote in ('"""', "'''"):
                    if value.count(quote) % 2 == 1:
                        in_multiline = quote
        return index

    def _resolve(self, segments: list[str]) -> str:
        """Concrete path of a dotted table name: array segments get their latest index."""
        path = ""
        for segment in segments:
            path = f"{path}.{segment}" if path else segment
            if path in self._counts:
                path = f"{path}[{self._counts[path] - 1}]"
        return path

    def _open_table(self, segments: list[str], is_array: bool, number: int) -> str:
        parent = self._resolve(segments[:-1])
        name = f"{parent}.{segments[-1]}" if parent else segments[-1]
        if is_array:
            self._counts[name] = self._counts.get(name, 0) + 1
            name = f"{name}[{self._counts[name] - 1}]"
        self.lines.setdefault(name, number)
        return name

    def line_of(self, path: str) -> int:
        """The line of ``path`` or of its nearest enclosing table or key; 0 when unknown."""
        while path:
            if path in self.lines:
                return self.lines[path]
            if path.endswith("]"):
                path = path[: path.rfind("[")]
            elif "." in path:
                path = path[: path.rfind(".")]
            else:
                break
        return self.lines.get(path, 0)


@dataclass
class TomlFile:
    """A parsed TOML file of a package, with its display name and line index."""

    name: str
    data: dict[str, Any]
    index: LineIndex

    def problem(self, path: str, message: str) -> Problem:
        return Problem(self.name, self.index.line_of(path), message, path)


def read_toml(path: Path, display_name: str) -> tuple[TomlFile | None, list[Problem]]:
    """Parse ``path``; on a syntax error return no file and one problem with the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [Problem(display_name, 0, "file not found")]
    except UnicodeDecodeError:
        return None, [Problem(display_name, 0, "not UTF-8 text")]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = _SYNTAX_LINE.search(str(exc))
        return None, [Problem(display_name, int(found.group(1)) if found else 0, f"TOML syntax error: {exc}")]
    return TomlFile(display_name, data, LineIndex.build(text)), []


def check_text_map(file: TomlFile, value: Any, path: str, problems: list[Problem]) -> dict[str, str]:
    """A ``{vi, en}`` map with both languages non-empty; adds problems and returns a clean map."""
    if not isinstance(value, dict):
        problems.append(file.problem(path, "must be a table with 'vi' and 'en' texts"))
        return {"vi": "", "en": ""}
    for lang in ("vi", "en"):
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.append(file.problem(f"{path}.{lang}" if lang in value else path,
                                         f"missing or empty '{lang}' text"))
    extra = sorted(set(value) - {"vi", "en"})
    if extra:
        problems.append(file.problem(path, f"unknown language(s) {', '.join(extra)}; only vi and en"))
    return {lang: str(value.get(lang, "")).strip() for lang in ("vi", "en")}
