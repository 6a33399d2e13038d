CREATE INDEX info_marker IF NOT EXISTS FOR (i:Info) ON (i.at);
