"""Course packages on disk: finding them, validating every rule of the format, hashing their files.

A package is a folder ``<slug>/`` with ``course.toml``, module files and ``media/``. Validation
collects every problem (file, line, what is wrong) instead of stopping at the first one, so an
author can fix a package in one pass. Module settings and files are checked by the module's
activity plugin, found through the registry (core never names a plugin).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from marshmallow import ValidationError

from lms.activities.base import ActivityType, Problem
from lms.activities.media import MAX_MEDIA_BYTES, content_type_for
from lms.activities.tomlfile import TomlFile, check_text_map, read_toml

MANIFEST = "course.toml"
TARGET_GROUPS = ("pupils", "youth", "citizens", "village-heads", "officials", "civil-servants")
_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
_IRI = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_DIGCOMP = re.compile(r"^[1-5]\.[1-9]$")
_KEYS = {"id", "slug", "version", "estimated_minutes", "target_groups", "digcomp", "vn_skills", "tags",
         "title", "summary", "objectives", "modules"}
_MODULE_KEYS = {"id", "type", "title", "estimated_minutes", "requires_previous", "settings"}


def bundled_courses_root() -> Path:
    """The ``courses`` package folder shipped with the application."""
    import courses

    return Path(courses.__file__).parent


def find_packages(root: Path) -> list[Path]:
    """``root`` itself when it is a package, else its sub-folders that hold a course.toml, sorted."""
    if (root / MANIFEST).is_file():
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / MANIFEST).is_file()) if root.is_dir() else []


def parse_version(text: str) -> tuple[int, int, int]:
    match = _VERSION.match(text or "")
    if not match:
        raise ValueError(f"not a version like 1.0.0: {text!r}")
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def package_hash(folder: Path) -> str:
    """SHA-256 over every file's relative path and bytes; equal hashes mean an unchanged package."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(folder, p)):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _hidden(folder: Path, path: Path) -> bool:
    return any(part.startswith(".") or part == "__pycache__" for part in path.relative_to(folder).parts)


@dataclass
class Package:
    """A package read from disk: its manifest, normalised modules and every problem found."""

    folder: Path
    problems: list[Problem] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    modules: list[dict[str, Any]] = field(default_factory=list)
    media: dict[str, str] = field(default_factory=dict)  # path -> content type

    @property
    def valid(self) -> bool:
        return not self.problems


def _str_list(file: TomlFile, data: dict, key: str, problems: list[Problem], pattern: re.Pattern | None = None,
              allowed: tuple[str, ...] | None = None) -> list[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(file.problem(key, f"{key} must be a list of non-empty strings"))
        return []
    for item in value:
        if pattern is not None and not pattern.match(item):
            problems.append(file.problem(key, f"{item!r} is not a valid {key} entry"))
        if allowed is not None and item not in allowed:
            problems.append(file.problem(key, f"{item!r} is not one of {', '.join(allowed)}"))
    return list(value)


def _minutes(file: TomlFile, data: dict, path: str, problems: list[Problem]) -> int:
    value = data.get("estimated_minutes", 0)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.append(file.problem(path, "estimated_minutes must be a whole number >= 0"))
        return 0
    return value


def _check_header(package: Package, file: TomlFile) -> None:
    data, problems = file.data, package.problems
    iri = data.get("id")
    if not isinstance(iri, str) or not _IRI.match(iri):
        problems.append(file.problem("id", "id must be the course's http(s) IRI"))
    slug = data.get("slug")
    if not isinstance(slug, str) or not _SLUG.match(slug):
        problems.append(file.problem("slug", "slug must be lowercase letters, digits and hyphens"))
    elif slug != package.folder.name:
        problems.append(file.problem("slug", f"slug {slug!r} differs from the folder name {package.folder.name!r}"))
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        problems.append(file.problem("version", "version must look like 1.0.0"))
    objectives = data.get("objectives", [])
    if not isinstance(objectives, list):
        problems.append(file.problem("objectives", "objectives must be [[objectives]] tables"))
        objectives = []
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        problems.append(file.problem(unknown[0], f"unknown key(s) {', '.join(unknown)}"))
    package.manifest = {
        "iri": str(iri).rstrip("/"), "slug": slug, "version": version,
        "estimated_minutes": _minutes(file, data, "estimated_minutes", problems),
        "target_groups": _str_list(file, data, "target_groups", problems, allowed=TARGET_GROUPS),
        "digcomp": _str_list(file, data, "digcomp", problems, pattern=_DIGCOMP),
        "vn_skills": _str_list(file, data, "vn_skills", problems),
        "tags": _str_list(file, data, "tags", problems),
        "title": check_text_map(file, data.get("title"), "title", problems),
        "summary": check_text_map(file, data.get("summary"), "summary", problems),
        "objectives": [check_text_map(file, o, f"objectives[{i}]", problems) for i, o in enumerate(objectives)],
    }


def _settings_problems(file: TomlFile, path: str, error: ValidationError) -> list[Problem]:
    messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
    return [file.problem(f"{path}.{name}" if name else path,
                         f"{name or 'settings'}: {'; '.join(map(str, text if isinstance(text, list) else [text]))}")
            for name, text in messages.items()]


def _check_module(package: Package, file: TomlFile, raw: Any, number: int, seen: set[str],
                  registry: dict[str, ActivityType]) -> None:
    path, problems = f"modules[{number}]", package.problems
    if not isinstance(raw, dict):
        problems.append(file.problem(path, "must be a [[modules]] table"))
        return
    key = raw.get("id")
    if not isinstance(key, str) or not _SLUG.match(key):
        problems.append(file.problem(f"{path}.id", "module id must be lowercase letters, digits and hyphens"))
    elif key in seen:
        problems.append(file.problem(f"{path}.id", f"duplicate module id {key!r}"))
    seen.add(str(key))
    requires_previous = raw.get("requires_previous", False)
    if not isinstance(requires_previous, bool):
        problems.append(file.problem(f"{path}.requires_previous", "requires_previous must be true or false"))
    elif requires_previous and number == 0:
        problems.append(file.problem(f"{path}.requires_previous", "the first module has no previous module"))
    unknown = sorted(set(raw) - _MODULE_KEYS)
    if unknown:
        problems.append(file.problem(path, f"unknown key(s) {', '.join(unknown)}"))
    module = {"key": key, "type": raw.get("type"), "position": number,
              "title": check_text_map(file, raw.get("title"), f"{path}.title", problems),
              "estimated_minutes": _minutes(file, raw, f"{path}.estimated_minutes", problems),
              "requires_previous": requires_previous is True, "settings": {}}
    plugin = registry.get(raw.get("type")) if isinstance(raw.get("type"), str) else None
    if plugin is None:
        problems.append(file.problem(f"{path}.type", f"type {raw.get('type')!r} is not an installed activity "
                                                     f"(installed: {', '.join(sorted(registry))})"))
    else:
        settings = raw.get("settings", {})
        try:
            module["settings"] = plugin.load_settings(settings if isinstance(settings, dict) else {})
        except ValidationError as exc:
            problems.extend(_settings_problems(file, f"{path}.settings", exc))
        else:
            problems.extend(plugin.validate_package(package.folder, module["settings"]))
    package.modules.append(module)


def _check_media(package: Package) -> None:
    folder = package.folder / "media"
    if not folder.is_dir():
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not _hidden(package.folder, p)):
        relative = path.relative_to(package.folder).as_posix()
        content_type = content_type_for(relative)
        if content_type is None:
            package.problems.append(Problem(relative, 0, "this kind of file is not allowed in media/"))
        elif path.stat().st_size > MAX_MEDIA_BYTES:
            package.problems.append(Problem(relative, 0, f"larger than {MAX_MEDIA_BYTES // 1024 // 1024} MB"))
        else:
            package.media[relative] = content_type


def read_package(folder: Path, registry: dict[str, ActivityType]) -> Package:
    """Read and validate the package in ``folder`` with the given activity plugins."""
    package = Package(folder=folder)
    file, problems = read_toml(folder / MANIFEST, MANIFEST)
    package.problems.extend(problems)
    if file is None:
        return package
    _check_header(package, file)
    modules = file.data.get("modules")
    if not isinstance(modules, list) or not modules:
        package.problems.append(file.problem("modules", "a course needs at least one [[modules]] table"))
    else:
        seen: set[str] = set()
        for number, raw in enumerate(modules):
            _check_module(package, file, raw, number, seen, registry)
    _check_media(package)
    return package
