-- migrate:up
CREATE TYPE order_state AS ENUM ('new', 'paid');
CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, state order_state NOT NULL DEFAULT 'new');

-- migrate:down
DROP TABLE orders;
DROP TYPE order_state;
