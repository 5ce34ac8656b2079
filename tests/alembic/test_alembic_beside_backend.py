"""CaseAttest beside UGM-AICare's backend: the backend's Alembic sees no difference after the service
migrated and ran on its database (issue #12, docs/integration.md).

The backend's models (backend/backend_models.py, written from the seed document) are migrated by Alembic;
then the service is migrated beside them (`caseattest migrate --baseline 0001`, `caseattest migrate`),
runs as a least-privileged login role, and attests cases the backend resolves through its ORM (the
trigger, the sweep, and the API's POST); then `alembic check` must find nothing to do, and must still find
a column someone added by hand.
"""

import datetime as dt
import os
import sys
from types import SimpleNamespace

import pytest

import backend_world as world

sys.path.insert(0, str(world.BACKEND))

REQUIRED = os.environ.get("CASEATTEST_REQUIRE_SERVICES") == "1"
QUIET = "No new upgrade operations detected"


@pytest.fixture(scope="module", autouse=True)
def requirements():
    reason = world.missing_requirements()
    if reason and REQUIRED:
        pytest.fail(reason + ", but CASEATTEST_REQUIRE_SERVICES=1")
    if reason:
        pytest.skip(reason)


def output(result):
    return f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"


def assert_quiet(result):
    assert result.returncode == 0 and QUIET in result.stdout, output(result)


def backend_opens_cases(session_factory):
    """What the backend writes before anything is resolved: people, cases in progress, appointments."""
    from backend_models import Appointment, Case, User

    start = dt.datetime(2026, 3, 2, 9, 0, 0, 123456, tzinfo=dt.UTC)
    with session_factory.begin() as session:
        counsellor = User(email="counsellor@backend.invalid", hashed_password="x", role="counsellor",
                          full_name="Konselor")
        students = [User(email=f"student{n}@backend.invalid", hashed_password="x", nim=f"22/49{n}/PA/1",
                         faculty="Psikologi") for n in range(3)]
        session.add_all([counsellor, *students])
        session.flush()
        cases = [Case(user_id=students[n % 3].id, counsellor_id=counsellor.id, status="in_progress",
                      risk_level_at_creation=n % 4, created_at=start + dt.timedelta(hours=n)) for n in range(5)]
        session.add_all(cases)
        session.flush()
        session.add_all([Appointment(case_id=case.id, user_id=case.user_id, counsellor_id=counsellor.id,
                                     scheduled_at=start + dt.timedelta(days=1 + n), status="completed",
                                     location_type="online" if n % 2 else "in_person")
                         for n, case in enumerate(cases)])
        return counsellor.id, [case.id for case in cases]


def backend_sets_status(session_factory, case_id, status):
    from backend_models import Case

    with session_factory.begin() as session:
        case = session.get(Case, case_id)
        case.status = status
        case.resolved_at = dt.datetime.now(dt.UTC)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One database as the backend and the service share it, after a full daemon run."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import sessionmaker

    with world.ScratchDatabase("caseattest_alembic_") as database:
        upgraded = world.alembic(database.url, "upgrade", "head")
        assert upgraded.returncode == 0, output(upgraded)
        check_before_service = world.alembic(database.url, "check")
        world.migrate(database.url, "--baseline", "0001")
        world.migrate(database.url)
        engine = create_engine(world.sqlalchemy_url(database.url))
        sessions = sessionmaker(engine)
        counsellor, cases = backend_opens_cases(sessions)
        # Resolved while no daemon listens: the sweep finds them at start.
        backend_sets_status(sessions, cases[0], "resolved")
        backend_sets_status(sessions, cases[1], "resolved")
        backend_sets_status(sessions, cases[2], "closed")
        with world.ServiceLogin() as login:
            daemon = world.Daemon(tmp_path_factory.mktemp("alembic"),
                                  world.with_database(world.DATABASE_URL, database.name, user=login.name))
            try:
                daemon.start()
                # Resolved while it listens (the trigger), and asked for through the API.
                backend_sets_status(sessions, cases[4], "resolved")
                posted = daemon.request("POST", f"/v1/cases/{cases[4]}/attestations", {"counsellorId": counsellor})
                attested = [cases[0], cases[1], cases[2], cases[4]]
                confirmed = daemon.wait_confirmed(attested)
                never_resolved = daemon.request("GET", f"/v1/cases/{cases[3]}/attestations")
            finally:
                daemon.stop()
        try:
            yield SimpleNamespace(url=database.url, engine=engine, sessions=sessions, cases=cases,
                                  attested=attested, confirmed=confirmed, posted=posted,
                                  never_resolved=never_resolved, check_before_service=check_before_service)
        finally:
            engine.dispose()


def test_the_committed_revision_matches_the_models(shared):
    assert_quiet(shared.check_before_service)


def test_alembic_check_sees_no_difference_after_the_service_ran(shared):
    assert_quiet(world.alembic(shared.url, "check"))


def test_include_schemas_needs_the_include_object_filter(shared):
    assert_quiet(world.alembic(shared.url, "check", extra=["include_schemas=true"]))
    unfiltered = world.alembic(shared.url, "check", extra=["include_schemas=true", "service_filter=off"])
    assert unfiltered.returncode != 0, output(unfiltered)
    assert "remove_table" in unfiltered.stderr and "schema='caseattest'" in unfiltered.stderr, output(unfiltered)


def test_the_api_took_the_backends_request(shared):
    status, body = shared.posted
    assert status in (200, 202), shared.posted
    assert body["caseId"] == shared.cases[4]
    assert shared.never_resolved == (200, {"caseId": shared.cases[3], "attestations": []})


def test_caseattestation_keeps_the_seed_columns_and_only_confirmed_attestations(shared):
    from backend_models import CaseAttestation
    from sqlalchemy import select

    columns = world.sql(shared.url, """
        SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = 'caseattestation' ORDER BY ordinal_position""")
    assert [tuple(row) for row in columns] == world.SEED_ATTESTATION_COLUMNS

    with shared.sessions() as session:
        rows = session.scalars(select(CaseAttestation).order_by(CaseAttestation.case_id)).all()
    assert [row.case_id for row in rows] == sorted(shared.attested)
    for row in rows:
        [latest] = shared.confirmed[row.case_id]
        assert latest["status"] == "confirmed"
        assert (row.content_hash, row.tx_hash, row.counsellor_id) == (
            latest["contentHash"], latest["txHash"], latest["counsellorId"])
        block = world.rpc("eth_getBlockByNumber", hex(latest["blockNumber"]), False)
        block_time = dt.datetime.fromtimestamp(int(block["timestamp"], 16), dt.UTC)
        assert row.attested_at == block_time == dt.datetime.fromisoformat(latest["attestedAt"])


def test_the_service_adds_only_its_trigger_to_the_backends_schema(shared):
    def names(statement):
        return sorted(row[0] for row in world.sql(shared.url, statement))

    assert names("SELECT tablename FROM pg_tables WHERE schemaname = 'public'") == sorted([
        "alembic_version", "users", "conversations", "messages", "conversationriskassessment", "screeningprofile",
        "cases", "appointments", "caseattestation", "userinterventionplan"])
    assert names("SELECT viewname FROM pg_views WHERE schemaname = 'public'") == []
    assert names("SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace") == []
    assert names("""SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace
                    AND typtype IN ('e', 'd', 'r', 'm')""") == []
    assert names("""SELECT c.relname || '.' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                    WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal""") == [
        "cases.caseattest_notify_case_resolved"]


def test_alembic_check_reports_a_column_added_to_a_backend_table(shared):
    world.sql(shared.url, "ALTER TABLE cases ADD COLUMN triage_note text")
    try:
        result = world.alembic(shared.url, "check")
    finally:
        world.sql(shared.url, "ALTER TABLE cases DROP COLUMN triage_note")
    assert result.returncode != 0, output(result)
    assert "remove_column" in result.stderr and "triage_note" in result.stderr, output(result)
    assert_quiet(world.alembic(shared.url, "check"))


def test_migration_0001_creates_what_the_models_describe():
    """Without a backend, `caseattest migrate` creates the seed's tables itself (0001); Alembic, stamped at
    its first revision, must find them identical to its models, so --baseline 0001 is a true statement."""
    with world.ScratchDatabase("caseattest_alembic_seed_") as database:
        world.migrate(database.url)
        stamped = world.alembic(database.url, "stamp", "head")
        assert stamped.returncode == 0, output(stamped)
        assert_quiet(world.alembic(database.url, "check"))
