CREATE INDEX session_tags_tag_idx ON session_tags (tag);
