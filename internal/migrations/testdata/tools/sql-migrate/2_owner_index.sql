-- +migrate Up notransaction
CREATE INDEX CONCURRENTLY accounts_owner_idx ON accounts (owner);

-- +migrate Down
DROP INDEX accounts_owner_idx;
