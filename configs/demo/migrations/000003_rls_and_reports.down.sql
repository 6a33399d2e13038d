DROP VIEW order_totals;
DROP POLICY orders_owner ON orders;
ALTER TABLE orders DISABLE ROW LEVEL SECURITY;
