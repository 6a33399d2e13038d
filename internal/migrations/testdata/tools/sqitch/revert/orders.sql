-- Revert shop:orders from pg

BEGIN;

SELECT 1;

COMMIT;
