-- What happened to the demo database outside the migrations: the kind of change drift exists
-- to find. `make demo` applies this after the migrations, then runs `drift check`.

-- A hotfix index made by hand during an incident.
CREATE INDEX orders_status_idx ON orders (status);
-- A column changed in a console.
ALTER TABLE customers ALTER COLUMN name TYPE varchar(100);
ALTER TABLE customers ALTER COLUMN email DROP NOT NULL;
-- RLS switched off "for a minute".
ALTER TABLE orders DISABLE ROW LEVEL SECURITY;
-- A grant to everyone.
GRANT SELECT ON customers TO PUBLIC;
-- A function body edited in place.
CREATE OR REPLACE FUNCTION touch_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := clock_timestamp();
    RETURN NEW;
END;
$$;
