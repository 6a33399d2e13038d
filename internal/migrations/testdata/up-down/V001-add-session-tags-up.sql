CREATE TABLE session_tags (id bigint PRIMARY KEY, tag text);
