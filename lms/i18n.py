"""Translations: Vietnamese by default, English on request; catalogs compiled at start-up.

Each feature package keeps its own ``translations/<locale>/LC_MESSAGES/messages.po`` so that
work on one feature never edits another's catalog. At start-up every catalog is merged and
compiled into the instance folder when a source is newer than the compiled file, so a
compiled catalog is never missing at run time, whatever way the package was installed.
"""
from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, request, session

from lms.config import LOCALES
from lms.extensions import babel

PACKAGE_ROOT = Path(__file__).parent


def source_catalogs(locale: str) -> list[Path]:
    """Every ``.po`` file of ``locale`` in the lms package, core first."""
    return sorted(PACKAGE_ROOT.glob(f"**/translations/{locale}/LC_MESSAGES/messages.po"))


def compile_catalogs(target: Path) -> None:
    """Merge and compile each locale's catalogs into ``target`` when a source changed."""
    for locale in LOCALES:
        sources = source_catalogs(locale)
        mo_path = target / locale / "LC_MESSAGES" / "messages.mo"
        if mo_path.exists() and all(p.stat().st_mtime <= mo_path.stat().st_mtime for p in sources):
            continue
        merged = Catalog(locale=locale)
        for path in sources:
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=locale)
            for message in catalog:
                if message.id and message.string and not message.fuzzy:
                    merged[message.id] = message
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = mo_path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            write_mo(handle, merged)
        temporary.replace(mo_path)


def select_locale() -> str:
    """The ?lang= parameter, then the choice kept in the session, then the default (vi)."""
    from flask import current_app

    chosen = request.args.get("lang")
    if chosen in LOCALES:
        session["lang"] = chosen
        return chosen
    if session.get("lang") in LOCALES:
        return session["lang"]
    return current_app.config["DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    target = Path(app.instance_path) / "translations"
    compile_catalogs(target)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(target)
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def _locale_context():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale()), "locales": LOCALES}
