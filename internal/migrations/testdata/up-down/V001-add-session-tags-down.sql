DROP TABLE session_tags;
