"""The `drafter` command: serve, database, knowledge base, keys and the demo shop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from drafter.cli.evaluate import eval_app
from drafter.core.errors import DrafterError, ImportFailed
from drafter.core.log_config import configure_logging
from drafter.core.models import ImportReport, Role
from drafter.core.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Drafter: reply drafts for e-commerce customer-service agents.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
kb_app = typer.Typer(no_args_is_help=True, help="The knowledge base: import, export, reindex.")
keys_app = typer.Typer(no_args_is_help=True, help="API keys.")
shops_app = typer.Typer(no_args_is_help=True, help="Shops.")
demo_app = typer.Typer(no_args_is_help=True, help="The demo shop.")
app.add_typer(eval_app, name="eval")
for sub, name in ((db_app, "db"), (kb_app, "kb"), (keys_app, "keys"), (shops_app, "shops"), (demo_app, "demo")):
    app.add_typer(sub, name=name)

console = Console()
err = Console(stderr=True)
ShopOpt = Annotated[str, typer.Option("--shop", help="Shop id")]


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.logging)
    return settings


def _fail(exc: DrafterError) -> typer.Exit:
    err.print(f"[red]error:[/red] {exc}")
    if isinstance(exc, ImportFailed):
        for problem in exc.problems:
            err.print(f"  - {problem}")
    return typer.Exit(code=2)


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    from drafter.storage import Database

    db = Database(settings.database_url, echo=settings.database.echo)
    db.upgrade()
    return db


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
) -> None:
    """Serve the HTTP API (and /docs)."""
    import uvicorn

    from drafter.api import create_app

    settings = _settings()
    uvicorn.run(
        create_app(settings), host=host or settings.server.host, port=port or settings.server.port, log_level="info"
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    settings = _settings()
    _database(settings).dispose()
    console.print("database is at the latest schema")


@shops_app.command("create")
def shops_create(
    shop: Annotated[str, typer.Argument(help="Shop id (slug)")],
    name: Annotated[str, typer.Option(help="Display name")] = "",
) -> None:
    """Create a shop (no-op if it exists)."""
    from drafter.services.access import AccessService

    db = _database(_settings())
    try:
        created = AccessService(db=db).ensure_shop(shop, name or shop)
    except DrafterError as exc:
        raise _fail(exc) from exc
    console.print(f"shop {created.id} ({created.name}), knowledge revision {created.knowledge_revision}")


@keys_app.command("create")
def keys_create(
    shop: ShopOpt,
    role: Annotated[Role, typer.Option(help="Role of the key")],
    name: Annotated[str, typer.Option(help="A label")] = "",
) -> None:
    """Create an API key; it is printed once and stored only as a hash."""
    from drafter.services.access import AccessService

    db = _database(_settings())
    try:
        key = AccessService(db=db).create_key(shop, role, name=name)
    except DrafterError as exc:
        raise _fail(exc) from exc
    console.print(key, soft_wrap=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True)


def _import(settings: Settings, shop: str, path: Path, *, dry_run: bool, sync: bool = False) -> None:
    from drafter.bootstrap import build_services

    services = build_services(settings)
    services.db.upgrade()
    try:
        with _progress() as bar:
            task = bar.add_task("importing", total=None)
            report = services.knowledge.import_path(
                shop,
                path,
                dry_run=dry_run,
                sync=sync,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
            if not dry_run:
                index_task = bar.add_task("indexing", total=None)
                services.retriever.refresh(
                    shop, progress=lambda done, total: bar.update(index_task, completed=done, total=total)
                )
    except DrafterError as exc:
        raise _fail(exc) from exc
    finally:
        services.close()
    _print_report(report, shop)


def _print_report(report: ImportReport, shop: str) -> None:
    """A summary table, then what changes entry by entry (on a dry run, what would)."""
    title = f"{'dry run: ' if report.dry_run else ''}import into {shop} (revision {report.revision})"
    table = Table(title=title)
    columns = {
        "new": report.created,
        "changed": report.updated,
        "unchanged": report.unchanged,
        "removed": report.removed,
    }
    for column in columns:
        table.add_column(column, justify="right")
    table.add_row(*(str(len(v)) for v in columns.values()))
    console.print(table)
    if report.created or report.updated or report.removed:
        details = Table(title="what changes" if not report.dry_run else "what would change")
        details.add_column("entry")
        details.add_column("change")
        details.add_column("fields")
        for entry in report.created:
            details.add_row(entry, "new", "")
        for entry in report.updated:
            details.add_row(entry, "changed", ", ".join(report.changes.get(entry, [])))
        for entry in report.removed:
            details.add_row(entry, "archived (not in the import)", "")
        console.print(details)


@kb_app.command("import")
def kb_import(
    path: Annotated[Path, typer.Argument(help="A knowledge_base/ folder, a .md, .jsonl or .csv file")],
    shop: ShopOpt = "demo",
    dry_run: Annotated[bool, typer.Option(help="Validate and report; change nothing")] = False,
    sync: Annotated[bool, typer.Option(help="PATH is the whole knowledge base: archive entries it omits")] = False,
) -> None:
    """Import entries: all files are validated first; then everything is written in one transaction."""
    _import(_settings(), shop, path, dry_run=dry_run, sync=sync)


@kb_app.command("diff")
def kb_diff(
    path: Annotated[Path, typer.Argument(help="A knowledge_base/ folder, a .md, .jsonl or .csv file")],
    shop: ShopOpt = "demo",
    sync: Annotated[bool, typer.Option(help="Also list the entries a --sync import would archive")] = False,
) -> None:
    """What `kb import` would change, entry by entry and field by field; changes nothing."""
    _import(_settings(), shop, path, dry_run=True, sync=sync)


@kb_app.command("export")
def kb_export(
    path: Annotated[Path, typer.Argument(help="Folder, .csv or .jsonl file to write")],
    shop: ShopOpt = "demo",
    format: Annotated[
        Literal["folder", "csv", "jsonl"] | None,
        typer.Option(
            "--format", help="Default: from PATH's suffix (.csv, .jsonl, else folder), which it must agree with"
        ),
    ] = None,
) -> None:
    """Write the latest version of every entry (drafts and archived too); `kb import` reads it back."""
    from drafter.services.knowledge import KnowledgeService
    from drafter.services.knowledge_files import choose_format, write_entries

    db = _database(_settings())
    try:
        chosen = choose_format(path, format)
        count = write_entries(KnowledgeService(db=db).export(shop), path, format=chosen)
    except DrafterError as exc:
        raise _fail(exc) from exc
    except (OSError, ValueError) as exc:  # an unwritable path, or a value the format cannot carry
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(code=2) from exc
    finally:
        db.dispose()
    console.print(f"wrote {count} entries to {path} ({chosen})")


@kb_app.command("reindex")
def kb_reindex(shop: ShopOpt = "demo") -> None:
    """Bring the shop's search indexes up to its knowledge revision (rebuilding what does not match)."""
    from drafter.bootstrap import build_services

    services = build_services(_settings())
    try:
        with _progress() as bar:
            task = bar.add_task("embedding", total=None)
            stats = services.retriever.refresh(shop, progress=lambda d, t: bar.update(task, completed=d, total=t))
    finally:
        services.close()
    console.print(f"{stats.shop}: {stats.passages} passages at revision {stats.revision} ({stats.index_kinds})")


@demo_app.command("setup")
def demo_setup() -> None:
    """Create the demo shop, import knowledge_base/, and print one API key per role."""
    from drafter.services.access import AccessService

    settings = _settings()
    db = _database(settings)
    access = AccessService(db=db)
    access.ensure_shop(settings.demo_shop, "Lumi Lane (demo)")
    db.dispose()
    _import(settings, settings.demo_shop, settings.knowledge_dir, dry_run=False)
    keys_file = settings.var_dir / "demo-keys.json"
    keys = _demo_keys(access, settings.demo_shop, keys_file)
    table = Table(title=f"demo API keys (shop {settings.demo_shop}; also in {keys_file})")
    table.add_column("role")
    table.add_column("key")
    for role, key in keys.items():
        table.add_row(role, key)
    console.print(table)


def _demo_keys(access: object, shop: str, keys_file: Path) -> dict[str, str]:
    from drafter.core.errors import Unauthenticated
    from drafter.services.access import AccessService

    assert isinstance(access, AccessService)
    if keys_file.exists():
        saved: dict[str, str] = json.loads(keys_file.read_text(encoding="utf-8"))
        try:
            if all(access.authenticate(k).shop == shop for k in saved.values()) and set(saved) == {
                r.value for r in Role
            }:
                return saved
        except Unauthenticated:
            pass
    keys = {}
    for role in Role:
        access.revoke_keys(shop, f"demo-{role.value}")
        keys[role.value] = access.create_key(shop, role, name=f"demo-{role.value}")
    keys_file.parent.mkdir(parents=True, exist_ok=True)
    keys_file.write_text(json.dumps(keys, indent=2), encoding="utf-8")
    keys_file.chmod(0o600)
    return keys


if __name__ == "__main__":
    app()
