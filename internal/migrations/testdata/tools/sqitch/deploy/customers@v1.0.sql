-- Deploy shop:customers to pg
-- requires: appschema

BEGIN;

CREATE TABLE shop.customers (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);

COMMIT;
