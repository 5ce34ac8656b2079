-- Demo data for `make run`: two counsellors, three students, five cases
-- (three resolved or closed, so the daemon has something to attest).
-- Fictional people; idempotent (does nothing when the demo users exist).
DO $$
DECLARE
    c1 bigint; c2 bigint; s1 bigint; s2 bigint; s3 bigint; k bigint;
BEGIN
    IF EXISTS (SELECT 1 FROM users WHERE email = 'counsellor.ayu@demo.invalid') THEN
        RETURN;
    END IF;
    INSERT INTO users (email, hashed_password, role, full_name, faculty, created_at)
        VALUES ('counsellor.ayu@demo.invalid', 'x', 'counsellor', 'Ayu Demo', 'Psychology', now() - interval '90 days')
        RETURNING id INTO c1;
    INSERT INTO users (email, hashed_password, role, full_name, faculty, created_at)
        VALUES ('counsellor.budi@demo.invalid', 'x', 'counsellor', 'Budi Demo', 'Psychology', now() - interval '90 days')
        RETURNING id INTO c2;
    INSERT INTO users (email, hashed_password, role, full_name, nim, faculty, created_at)
        VALUES ('student.one@demo.invalid', 'x', 'user', 'Student One', '21/000001/DEMO', 'Engineering', now() - interval '60 days')
        RETURNING id INTO s1;
    INSERT INTO users (email, hashed_password, role, full_name, nim, faculty, created_at)
        VALUES ('student.two@demo.invalid', 'x', 'user', 'Student Two', '21/000002/DEMO', 'Medicine', now() - interval '60 days')
        RETURNING id INTO s2;
    INSERT INTO users (email, hashed_password, role, full_name, nim, faculty, created_at)
        VALUES ('student.three@demo.invalid', 'x', 'user', 'Student Three', '21/000003/DEMO', 'Law', now() - interval '60 days')
        RETURNING id INTO s3;

    INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
        VALUES (s1, c1, 'resolved', 2, now() - interval '30 days', now() - interval '2 days') RETURNING id INTO k;
    INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type) VALUES
        (k, s1, c1, now() - interval '25 days', 'completed', 'online'),
        (k, s1, c1, now() - interval '10 days', 'completed', 'in_person');

    INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
        VALUES (s2, c2, 'closed', 3, now() - interval '20 days', now() - interval '1 day') RETURNING id INTO k;
    INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type) VALUES
        (k, s2, c2, now() - interval '18 days', 'completed', 'in_person'),
        (k, s2, c2, now() - interval '12 days', 'no_show', 'online'),
        (k, s2, c2, now() - interval '5 days', 'completed', 'in_person');

    INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at, resolved_at)
        VALUES (s3, c1, 'resolved', 1, now() - interval '15 days', now() - interval '3 hours');

    INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at)
        VALUES (s1, c2, 'in_progress', 2, now() - interval '4 days') RETURNING id INTO k;
    INSERT INTO appointments (case_id, user_id, counsellor_id, scheduled_at, status, location_type) VALUES
        (k, s1, c2, now() + interval '2 days', 'scheduled', 'online');

    INSERT INTO cases (user_id, counsellor_id, status, risk_level_at_creation, created_at)
        VALUES (s3, NULL, 'open', 1, now() - interval '1 day');
END $$;
