-- Verify shop:customers on pg

SELECT 1;
