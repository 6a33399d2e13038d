ALTER TABLE users ADD COLUMN nick text;
