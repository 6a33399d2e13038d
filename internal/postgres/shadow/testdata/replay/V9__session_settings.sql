CREATE SCHEMA app;
SET search_path TO app;
CREATE TABLE in_app (id int);
LOCK TABLE in_app IN ACCESS EXCLUSIVE MODE;
