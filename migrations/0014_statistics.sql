-- 0014: the daemon keeps the planner's statistics of its busiest tables fresh (issue 17). A backfill
-- writes every case row three times within minutes; until autovacuum's next visit the planner works
-- from an empty table's figures, and `verify --all` right after a 20,000-case backfill took 19 s
-- instead of 2.8 s. Only a table's owner may ANALYZE it (PostgreSQL 15), so the service role gets this
-- one function, which does nothing else.
CREATE FUNCTION caseattest.refresh_statistics() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = caseattest, pg_catalog AS $$
BEGIN
    ANALYZE caseattest.attestation;
    ANALYZE caseattest.attestation_batch;
END
$$;
REVOKE ALL ON FUNCTION caseattest.refresh_statistics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION caseattest.refresh_statistics() TO caseattest_service;
