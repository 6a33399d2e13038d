-- Types and tables; a comment with semicolons; is not a statement
CREATE TYPE mood AS ENUM ('sad', 'ok');

CREATE TABLE people (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    note text DEFAULT E'it\'s; fine',
    motto text DEFAULT 'don''t; panic',
    current_mood mood NOT NULL DEFAULT 'ok',
    updated_at timestamptz
);

/* a block comment; /* nested; */ still a comment; */
CREATE TABLE "odd;name" ("semi;col" int);
