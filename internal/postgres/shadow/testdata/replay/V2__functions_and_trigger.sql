CREATE FUNCTION touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now(); -- a comment; with a semicolon
    RETURN NEW;
END;
$$;

CREATE FUNCTION greeting(who text) RETURNS text LANGUAGE plpgsql AS $fn$
BEGIN
    RETURN format($$hello, %s; welcome$$, who);
END
$fn$;

CREATE TRIGGER people_touch BEFORE UPDATE ON people
    FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
