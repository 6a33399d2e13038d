-- Verify shop:customers@v1.0 on pg

SELECT 1;
