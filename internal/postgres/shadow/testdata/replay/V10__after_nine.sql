-- The session is reset between files: this lands in public, not app.
CREATE TABLE in_public (id int);
