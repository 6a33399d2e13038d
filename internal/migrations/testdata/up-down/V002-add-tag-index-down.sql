DROP INDEX session_tags_tag_idx;
