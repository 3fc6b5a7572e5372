"""Alembic environment for Tripwire's store.

Run programmatically by :func:`tripwire.store.engine.upgrade`, which passes an
open connection (already inside a locked transaction) in
``config.attributes["connection"]``. Without one (e.g. the ``alembic`` command
line with ``sqlalchemy.url`` set), it opens its own engine.
"""

from __future__ import annotations

from alembic import context

from tripwire.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL to stdout instead of running it."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against the connection handed over by the store, or a fresh engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from tripwire.store.engine import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///tripwire.db")
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
