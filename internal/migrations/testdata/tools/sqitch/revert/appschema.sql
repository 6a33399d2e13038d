-- Revert shop:appschema from pg

BEGIN;

SELECT 1;

COMMIT;
