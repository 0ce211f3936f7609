"""`lms lrs client ...`: create, list, rotate and revoke LRS credentials."""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext

from lms.extensions import db
from xapi.lrs import auth


@click.group("lrs", help="Manage the Learning Record Store.")
def lrs_group() -> None:
    """xAPI LRS administration."""


@lrs_group.group("client", help="LRS credentials (HTTP Basic key and secret).")
@with_appcontext
def client_group() -> None:
    """Credential commands: the database must exist and be up to date."""
    from lms.cli import require_current_schema  # lms.cli registers this group: import when run

    require_current_schema()


@client_group.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(auth.SCOPES),
              help="A scope to grant; repeat for several.")
@click.option("--origin", "origins", multiple=True, help="Browser origin allowed by CORS; repeatable.")
@click.option("--bare-profile-put", is_flag=True,
              help="Accept PUTs that create a profile document without If-Match or If-None-Match "
                   "(clients such as TinCanPython); refused with 400 otherwise.")
@click.option("--json", "as_json", is_flag=True, help='Print {"key": ..., "secret": ...} as JSON.')
@with_appcontext
def create_client(name: str, scopes: tuple[str, ...], origins: tuple[str, ...], bare_profile_put: bool,
                  as_json: bool) -> None:
    """Create a credential and print its key and secret (the secret is shown only now)."""
    try:
        client, secret = auth.create_client(db.session, name, list(scopes), current_app.config["SITE_URL"],
                                            allowed_origins=list(origins), bare_profile_put=bare_profile_put)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    db.session.commit()
    if as_json:
        click.echo(json.dumps({"key": client.key, "secret": secret, "name": client.name,
                               "scopes": client.scopes}))
    else:
        click.echo(f"name:   {client.name}\nkey:    {client.key}\nsecret: {secret}\n"
                   f"scopes: {' '.join(client.scopes)}\nKeep the secret now: it cannot be shown again.")


@client_group.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked credentials.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_clients(include_revoked: bool, as_json: bool) -> None:
    """List credentials (never their secrets)."""
    rows = [{"key": c.key, "name": c.name, "scopes": c.scopes, "revoked": c.revoked,
             "bare_profile_put": c.bare_profile_put,
             "created": c.created_at.isoformat() if c.created_at else None}
            for c in auth.list_clients(db.session, include_revoked)]
    if as_json:
        click.echo(json.dumps(rows))
        return
    for row in rows:
        state = "revoked" if row["revoked"] else "active"
        bare = "  bare-profile-put" if row["bare_profile_put"] else ""
        click.echo(f"{row['key']}  {state:7}  {row['name']}  [{' '.join(row['scopes'])}]{bare}")


@client_group.command("rotate")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def rotate_client(key: str, as_json: bool) -> None:
    """Give a credential a new secret; the old secret stops working at once."""
    try:
        secret = auth.rotate_secret(db.session, key)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(json.dumps({"key": key, "secret": secret}) if as_json else f"key:    {key}\nsecret: {secret}")


@client_group.command("revoke")
@click.argument("key")
@with_appcontext
def revoke_client(key: str) -> None:
    """Revoke a credential; requests with it are refused from now on."""
    try:
        auth.revoke_client(db.session, key)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"revoked {key}")


commands = [lrs_group]
