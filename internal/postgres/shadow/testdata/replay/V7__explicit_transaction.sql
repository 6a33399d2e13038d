BEGIN;
CREATE TABLE notes (id int PRIMARY KEY, body text);
COMMENT ON TABLE notes IS 'notes; with a semicolon';
COMMIT;
