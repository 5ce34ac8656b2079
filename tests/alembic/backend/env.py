"""The backend's Alembic environment beside CaseAttest (docs/integration.md shows the same settings).

target_metadata is the backend's models. Autogenerate compares only the default schema (public) while
`include_schemas` is left off, so the service's schema `caseattest` is never seen; the one object the
service adds to a backend table, the trigger `caseattest_notify_case_resolved` on `cases`, is invisible
to autogenerate (it compares no triggers or functions).

A backend that turns `include_schemas` on must also skip the service's schemas with `include_object`
below. The Alembic test runs both settings: `-x include_schemas=true`, and `-x service_filter=off` to
show the filter is what keeps them quiet.

The database is DATABASE_URL (postgres://... as the service takes it, or a SQLAlchemy URL).
"""

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

from backend_models import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

target_metadata = Base.metadata
arguments = context.get_x_argument(as_dictionary=True)

# The schemas CaseAttest owns: its tables and functions (caseattest), its analytics views
# (caseattest_analytics, caseattest_status). Only read through its API or the views it grants.
SERVICE_SCHEMAS = {"caseattest", "caseattest_analytics", "caseattest_status"}


def include_object(object, name, type_, reflected, compare_to):
    """Leave the service's schemas out of autogenerate (only needed with include_schemas=True)."""
    table = object if type_ == "table" else getattr(object, "table", None)
    return table is None or table.schema not in SERVICE_SCHEMAS


def database_url():
    url = os.environ["DATABASE_URL"]
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme):]
    return url


def settings():
    include_schemas = arguments.get("include_schemas", "false") == "true"
    chosen = {"target_metadata": target_metadata, "compare_type": True, "compare_server_default": True}
    if include_schemas:
        chosen["include_schemas"] = True
        if arguments.get("service_filter", "on") == "on":
            chosen["include_object"] = include_object
    return chosen


def run_migrations_offline():
    context.configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"}, **settings())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    engine = create_engine(database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **settings())
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
