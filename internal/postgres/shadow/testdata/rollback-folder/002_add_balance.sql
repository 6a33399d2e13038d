ALTER TABLE accounts ADD COLUMN balance numeric;
