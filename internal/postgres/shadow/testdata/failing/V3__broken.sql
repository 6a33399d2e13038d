-- broken on purpose: a missing comma
CREATE TABLE c (id int);

CREATE TABLE d (
    id int,
    name text NOT NULL
    extra int
);
