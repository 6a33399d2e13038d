-- postgres-migrations disable-transaction
CREATE INDEX CONCURRENTLY items_label_idx ON items (label);
