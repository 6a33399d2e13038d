ALTER TABLE session_tags ADD COLUMN notes text;
