-- migrate:up transaction:false
ALTER TYPE order_state ADD VALUE 'shipped';
ALTER TABLE orders ADD COLUMN shipped boolean GENERATED ALWAYS AS (state = 'shipped') STORED;

-- migrate:down
ALTER TABLE orders DROP COLUMN shipped;
