-- +migrate Up
CREATE TABLE accounts (id serial PRIMARY KEY, owner text NOT NULL);

-- +migrate StatementBegin
CREATE FUNCTION accounts_count() RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM accounts $$;
-- +migrate StatementEnd

-- +migrate Down
DROP FUNCTION accounts_count();
DROP TABLE accounts;
