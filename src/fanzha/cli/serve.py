"""``fanzha serve``, ``fanzha users add`` and ``fanzha keys add``: run the API and give people access to it."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from fanzha.cli.app import app, console, err_console
from fanzha.config import Settings, get_settings
from fanzha.store.cases import CaseStore, CaseStoreError, upgrade

users_app = typer.Typer(no_args_is_help=True, help="People who sign in to the API and console.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys of bank and telco systems.")
app.add_typer(users_app, name="users")
app.add_typer(keys_app, name="keys")

RolesOption = Annotated[
    list[str], typer.Option("--role", help="analyst, investigator, supervisor, admin, bank_liaison or public")
]


def _check_roles(roles: list[str]) -> None:
    from fanzha.ops import Role

    names = [role.value for role in Role]
    unknown = sorted(set(roles) - set(names))
    if unknown or not roles:
        err_console.print(
            f"[red]roles must be some of {', '.join(names)}[/red] (got {', '.join(roles) or 'none'})"
        )
        raise typer.Exit(code=2)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Serve the API (and console) with uvicorn; the case store is migrated first.

    X-Forwarded-For is believed only from the proxies in ``FANZHA_TRUSTED_PROXIES`` (none by default), so the
    public rate limit keys on the real peer. Without ``FANZHA_SECRET_KEY`` every worker signs with the one key
    kept in ``FANZHA_HOME``.
    """
    import uvicorn

    from fanzha.api.security import signing_key

    settings = get_settings()
    settings.home.mkdir(parents=True, exist_ok=True)
    upgrade(settings.case_store_url)
    signing_key(settings)  # made once here, before the workers start
    console.print(f"fanzha API on http://{host}:{port}/api/v1 (OpenAPI at http://{host}:{port}/docs)")
    uvicorn.run("fanzha.api.main:app", **uvicorn_options(settings, host=host, port=port, workers=workers))


def uvicorn_options(settings: Settings, *, host: str, port: int, workers: int) -> dict[str, Any]:
    """The keyword arguments of ``uvicorn.run`` for ``fanzha serve``.

    ``forwarded_allow_ips`` is always given: left out, uvicorn would believe X-Forwarded-For from loopback peers
    (or whatever ``FORWARDED_ALLOW_IPS`` says), letting any local client pose as a new one on every request.
    """
    return {
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": "warning",
        "proxy_headers": True,
        "forwarded_allow_ips": settings.trusted_proxy_list,
    }


@users_app.command("add")
def add_user(
    username: Annotated[str, typer.Argument(help="sign-in name")],
    unit: Annotated[str, typer.Option(help="code of the user's unit")],
    role: RolesOption,
    name: Annotated[str | None, typer.Option(help="display name")] = None,
    password_stdin: Annotated[bool, typer.Option(help="read the password from standard input")] = False,
) -> None:
    """Create a user; the password is asked for (or read from standard input) and stored as an argon2 hash."""
    from fanzha.api.security import hash_password
    from fanzha.store.cases.access import add_user as store_user

    _check_roles(role)
    password = (
        sys.stdin.readline().rstrip("\n")
        if password_stdin
        else typer.prompt("password", hide_input=True, confirmation_prompt=True)
    )
    if len(password) < 12:
        err_console.print("[red]a password needs at least 12 characters[/red]")
        raise typer.Exit(code=2)
    settings = get_settings()
    upgrade(settings.case_store_url)
    with CaseStore(settings.case_store_url) as store:
        try:
            store_user(store, username, name or username, unit, role, hash_password(password), actor="cli")
        except CaseStoreError as error:
            err_console.print(f"[red]refused:[/red] {error}")
            raise typer.Exit(code=2) from error
    console.print(f"user {username} added to unit {unit} as {', '.join(role)}")


def _change_user(username: str, change: str) -> None:
    from fanzha.store.cases.access import delete_user, set_user_active

    settings = get_settings()
    upgrade(settings.case_store_url)
    with CaseStore(settings.case_store_url) as store:
        try:
            if change == "delete":
                delete_user(store, username, actor="cli")
            else:
                set_user_active(store, username, change == "enable", actor="cli")
        except CaseStoreError as error:
            err_console.print(f"[red]refused:[/red] {error}")
            raise typer.Exit(code=2) from error
    console.print(
        f"user {username}: {change}d (a running server notices within FANZHA_ACCOUNT_CACHE_SECONDS)"
    )


@users_app.command("disable")
def disable_user(username: Annotated[str, typer.Argument(help="sign-in name")]) -> None:
    """Disable a user (停用): sign-in refused, their tokens stop working within seconds."""
    _change_user(username, "disable")


@users_app.command("enable")
def enable_user(username: Annotated[str, typer.Argument(help="sign-in name")]) -> None:
    """Enable a disabled user again."""
    _change_user(username, "enable")


@users_app.command("delete")
def remove_user(username: Annotated[str, typer.Argument(help="sign-in name")]) -> None:
    """Delete a user (删除用户): their tokens stop working within seconds; the audit log keeps their history."""
    _change_user(username, "delete")


@keys_app.command("add")
def add_key(
    name: Annotated[str, typer.Argument(help="whose system, e.g. 'ICBC fraud desk'")],
    unit: Annotated[str, typer.Option(help="code of the liaison unit, e.g. BANK-ICBC")],
    role: RolesOption,
) -> None:
    """Create an API key; it is printed once and only its hash is kept."""
    from fanzha.api.security import api_key_hash, new_api_key
    from fanzha.store.cases.access import add_api_key

    _check_roles(role)
    key, key_id = new_api_key()
    settings = get_settings()
    upgrade(settings.case_store_url)
    with CaseStore(settings.case_store_url) as store:
        try:
            add_api_key(store, key_id, api_key_hash(key), name, unit, role, actor="cli")
        except CaseStoreError as error:
            err_console.print(f"[red]refused:[/red] {error}")
            raise typer.Exit(code=2) from error
    console.print(f"API key for {name} (unit {unit}); send it as X-API-Key, it is not shown again:")
    console.print(key, highlight=False, soft_wrap=True)
