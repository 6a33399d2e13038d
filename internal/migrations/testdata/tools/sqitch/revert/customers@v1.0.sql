-- Revert shop:customers@v1.0 from pg

BEGIN;

SELECT 1;

COMMIT;
