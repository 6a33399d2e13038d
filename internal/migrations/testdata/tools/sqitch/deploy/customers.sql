-- Deploy shop:customers to pg
-- requires: appschema

BEGIN;

ALTER TABLE shop.customers ADD COLUMN email text;

COMMIT;
