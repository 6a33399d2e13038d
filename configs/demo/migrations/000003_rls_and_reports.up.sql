ALTER TABLE orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY orders_owner ON orders
    USING (customer_id = current_setting('app.customer_id')::bigint);

CREATE VIEW order_totals AS
    SELECT customer_id, count(*) AS orders, sum(total_cents) AS total_cents
    FROM orders GROUP BY customer_id;

COMMENT ON TABLE orders IS 'One row per checkout.';
