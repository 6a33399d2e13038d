CREATE INDEX rating_idx IF NOT EXISTS FOR (r:Rating) ON (r.value);
