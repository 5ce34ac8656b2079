-- 0009: least-privilege roles, granted by the privileged run of
-- `caseattest migrate` (docs/integration.md, docs/privacy.md).
--
-- Three group roles (NOLOGIN: a DBA makes login roles members of them, with
-- passwords kept out of this file):
--   caseattest_service   the daemon and the API: everything in the service's
--                        schema; on the backend's, read cases and
--                        appointments, publish caseattestation rows.
--   caseattest_analytics sees risk assessments and screening profiles only
--                        through views with the pseudonym and without
--                        user_id, conversation_id or free text.
--   caseattest_clinical  may link a pseudonym to a person (users, cases).
--   caseattest_reader    the backend: where each case's attestation stands,
--                        through a read-only view (no salt, document or proof).
-- Roles belong to the cluster, grants to this database: creating a role that
-- exists already (or that a concurrent migration of another database of the
-- cluster has just created) is skipped, so every database can run this.

DO $$
DECLARE
    wanted text;
BEGIN
    FOREACH wanted IN ARRAY ARRAY['caseattest_service', 'caseattest_analytics', 'caseattest_clinical',
                                  'caseattest_reader'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = wanted) THEN
            -- Another database of the cluster may be creating it right now.
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', wanted);
            EXCEPTION WHEN duplicate_object OR unique_violation THEN
                NULL;
            END;
        END IF;
    END LOOP;
END;
$$;

-- The service: its own schema, whole.
GRANT USAGE ON SCHEMA caseattest TO caseattest_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA caseattest TO caseattest_service;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA caseattest TO caseattest_service;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA caseattest TO caseattest_service;
-- Tables later migrations create (run by the same privileged role) too.
ALTER DEFAULT PRIVILEGES IN SCHEMA caseattest GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO caseattest_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA caseattest GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO caseattest_service;
ALTER DEFAULT PRIVILEGES IN SCHEMA caseattest GRANT EXECUTE ON FUNCTIONS TO caseattest_service;
-- The backend's: read what a case document is made of; publish confirmed
-- attestations (DELETE: a reorg or an erasure takes a row back).
GRANT USAGE ON SCHEMA public TO caseattest_service;
GRANT SELECT ON public.cases, public.appointments TO caseattest_service;
GRANT SELECT, INSERT, UPDATE, DELETE ON public.caseattestation TO caseattest_service;
DO $$
BEGIN
    EXECUTE format('GRANT USAGE ON SEQUENCE %s TO caseattest_service',
                   pg_get_serial_sequence('public.caseattestation', 'id'));
END;
$$;

-- Analytics: the seed's pseudonymisation made real by the database. Views
-- run with their owner's rights, so the role needs none on the tables.
CREATE SCHEMA IF NOT EXISTS caseattest_analytics;
CREATE VIEW caseattest_analytics.risk_assessments AS
    SELECT id, user_hash, risk_level, risk_score, severity, intent, phq9_indicators, gad7_indicators, trend,
           analysed_at
    FROM public.conversationriskassessment;
CREATE VIEW caseattest_analytics.screening_profiles AS
    SELECT id, user_hash, phq9_history, gad7_history, dass21_history, last_updated
    FROM public.screeningprofile;
GRANT USAGE ON SCHEMA caseattest_analytics TO caseattest_analytics;
GRANT SELECT ON ALL TABLES IN SCHEMA caseattest_analytics TO caseattest_analytics;

-- Clinical: may link a pseudonym to a person, and read what analytics reads.
GRANT USAGE ON SCHEMA public, caseattest_analytics TO caseattest_clinical;
GRANT SELECT ON public.users, public.cases, public.appointments, public.conversationriskassessment,
    public.screeningprofile, public.caseattestation TO caseattest_clinical;
GRANT SELECT ON ALL TABLES IN SCHEMA caseattest_analytics TO caseattest_clinical;

-- The backend's read-only window on the pipeline (docs/integration.md): one
-- row per attestation version, what the API's GET .../attestations shows.
CREATE SCHEMA IF NOT EXISTS caseattest_status;
CREATE VIEW caseattest_status.attestations AS
    SELECT id, case_id, version, status, content_hash, chain_id, contract_address, tx_hash, block_number,
           attested_at, erased_at IS NOT NULL AS erased, legacy, record_id, requested_by, requested_at, updated_at
    FROM caseattest.attestation;
GRANT USAGE ON SCHEMA caseattest_status TO caseattest_reader, caseattest_clinical;
GRANT SELECT ON ALL TABLES IN SCHEMA caseattest_status TO caseattest_reader, caseattest_clinical;
GRANT SELECT ON public.caseattestation TO caseattest_reader;
