-- Revert shop:customers from pg

BEGIN;

SELECT 1;

COMMIT;
