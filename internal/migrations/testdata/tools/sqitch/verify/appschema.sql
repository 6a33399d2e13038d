-- Verify shop:appschema on pg

SELECT 1;
