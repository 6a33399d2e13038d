DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_a', 'audit_b'] LOOP
        EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, at timestamptz)', t);
    END LOOP;
END
$$;
